"""Test-run defaults, set before Django reads its settings.

Tests never touch the developer's ./var: each run gets its own data directory. The fetcher may reach
loopback because every fetch test talks to a real HTTP server on 127.0.0.1.
"""

import os
import tempfile

os.environ.setdefault("DATELINE_DATA_DIR", tempfile.mkdtemp(prefix="dateline-test-"))
os.environ.setdefault("DATELINE_FETCH_ALLOW_LOOPBACK", "true")


import pytest


@pytest.fixture(scope="session")
def postgres_server_url():
    """A PostgreSQL server for tests that need one whatever the suite's own database is."""
    from tests.support.postgres import PostgresUnavailable, server_url

    try:
        with server_url() as url:
            yield url
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL not available: {error}")
