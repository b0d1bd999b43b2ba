"""Fixtures shared by every app's tests."""

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
