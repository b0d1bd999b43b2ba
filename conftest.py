"""Fixtures shared by every app's tests."""

import pytest
from hypothesis import settings

# Speed is measured by the benchmarks in bench/, never by tests: on a shared two-core machine a
# property example may take longer than Hypothesis's default 200 ms deadline for no fault of ours.
settings.register_profile("dateline", deadline=None)
settings.load_profile("dateline")


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty shared cache: the database is rolled back between tests,
    the cache (pages and the copies of their generations) is not."""
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(scope="session")
def postgres_server_url():
    """A PostgreSQL server for tests that need one whatever the suite's own database is."""
    from tests.support.postgres import PostgresUnavailable, server_url

    try:
        with server_url() as url:
            yield url
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL not available: {error}")


@pytest.fixture(scope="session")
def chromium():
    """Real Chromium through Playwright, one per test process (see tests/support/browser.py)."""
    from tests.support.browser import CHROMIUM, Chromium

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (the CI script installs Debian's chromium)")
    browser = Chromium()
    yield browser
    browser.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_env(request, tmp_path):
    """The environment for `dateline` subprocesses on a fresh database: a SQLite file in
    `tmp_path`, then (when a server is available) a new PostgreSQL database."""
    from tests.support.processes import isolated_env

    env = isolated_env(tmp_path)
    if request.param == "sqlite":
        yield env
        return
    from tests.support.postgres import fresh_database

    with fresh_database(request.getfixturevalue("postgres_server_url")) as url:
        yield {**env, "DATELINE_DATABASE_URL": url}
