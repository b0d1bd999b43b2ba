"""Settings for the test suite: Dateline's own, with a throwaway data directory.

pytest-django imports this before any conftest runs, so the defaults below are in place before
dateline.settings reads the environment. Tests never touch the developer's ./var.
"""

import os
import tempfile

os.environ.setdefault("DATELINE_DATA_DIR", tempfile.mkdtemp(prefix="dateline-test-"))
# Every fetch test talks to a real HTTP server on 127.0.0.1.
os.environ.setdefault("DATELINE_FETCH_ALLOW_LOOPBACK", "true")

from dateline.settings import *

# Tests do not run collectstatic: the plain storage finds files through the finders, while the
# manifest storage `dateline serve` uses is exercised by tests/test_cli_and_serve.py.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# pytest-xdist's workers inherit the data directory chosen above but each has its own test
# database: each gets its own page cache file too, or one worker's pages and generations would
# answer another's requests. Not for a site a test starts in a process of its own (its data
# directory is another): all its processes must share its one cache, as in production.
os.environ.setdefault("TESTS_SHARED_DATA_DIR", str(DATA_DIR))
if str(DATA_DIR) == os.environ["TESTS_SHARED_DATA_DIR"] and "LOCATION" in CACHES["default"]:
    CACHES = {
        "default": {
            **CACHES["default"],
            "LOCATION": str(
                DATA_DIR
                / "cache"
                / f"pages-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.sqlite3"
            ),
        }
    }
