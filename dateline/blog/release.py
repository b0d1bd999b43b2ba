"""What identifies the running code and configuration, for keys of the shared cache.

The shared cache outlives a restart (a SQLite file, Redis): pages and cards stored by the
previous release must not be served by the next one, whose templates, code, static file names
or settings may differ. The tag hashes Dateline's own files (code and templates), the static
files' manifest and the settings' values, once per process.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings

import dateline
from dateline.core.config import SETTINGS

_PACKAGE = Path(dateline.__file__).resolve().parent
_SOURCES = ("*.py", "*.html", "*.txt", "*.xml", "*.json")
_NOT_HASHED = frozenset({"DATELINE_SECRET_KEY"})


@functools.cache
def tag() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for pattern in _SOURCES:
        for path in sorted(_PACKAGE.rglob(pattern)):
            if "tests" in path.parts or "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(_PACKAGE)).encode())
            digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    for setting in SETTINGS:
        if setting.name not in _NOT_HASHED:
            digest.update(f"{setting.name}={settings.CONFIG.get(setting.name)}\n".encode())
    return digest.hexdigest()
