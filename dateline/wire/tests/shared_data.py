"""Where the tests find the real data (../shared/data, or DATELINE_SHARED_DATA): never copied in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_data() -> Path:
    return Path(os.environ.get("DATELINE_SHARED_DATA", REPO_ROOT / ".." / "shared" / "data"))


def require(relative: str) -> Path:
    """The shared data path ``relative``, or the test is skipped saying what is missing."""
    path = shared_data() / relative
    if not path.exists():
        pytest.skip(f"shared data not found: {path} (set DATELINE_SHARED_DATA to its folder)")
    return path
