import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with an empty page cache: the database is rolled back between tests,
    the process-local cache is not."""
    caches["default"].clear()
    yield
    caches["default"].clear()
