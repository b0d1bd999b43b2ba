"""Settings for the test suite: Dateline's own, with a throwaway data directory.

pytest-django imports this before any conftest runs, so the defaults below are in place before
dateline.settings reads the environment. Tests never touch the developer's ./var.
"""

import os
import tempfile

os.environ.setdefault("DATELINE_DATA_DIR", tempfile.mkdtemp(prefix="dateline-test-"))
# Every fetch test talks to a real HTTP server on 127.0.0.1.
os.environ.setdefault("DATELINE_FETCH_ALLOW_LOOPBACK", "true")

from dateline.settings import *  # noqa: F403
