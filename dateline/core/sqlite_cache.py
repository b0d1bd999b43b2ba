"""A Django cache backend in one SQLite file: the default cache every process of a site shares.

Django's own choices for one machine fall short here: LocMem is per process (each worker
rendered and stamped its own copy of a page, and answered its own ETag), and the file-based
cache lists its whole directory on every write to decide whether to cull. A SQLite file in
WAL mode gives every process on the machine the same entries, reads a key with one indexed
lookup and no lock, and culls by row id (the newest MAX_ENTRIES writes are kept).

LOCATION is the file's path. A site's file lives in its own data directory, so two sites on
one machine never share entries.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cache ("
    " key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)"  # NULL: never
)
# Culling is checked once per this many writes of a process, not on every write.
_CULL_EVERY = 100
# How long a writer waits for another process's write to finish.
_BUSY_SECONDS = 5.0


class SQLiteCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._path = Path(location)
        self._local = threading.local()
        self._writes = 0

    # --- connections -----------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        # One connection per thread and process: a forked worker must not reuse its parent's.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.connection = self._connect()
            local.pid = os.getpid()
        connection: sqlite3.Connection = local.connection
        return connection

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        connection = sqlite3.connect(
            self._path, timeout=_BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")  # a cache may lose its last writes
        connection.execute(_SCHEMA)
        with contextlib.suppress(OSError):  # someone else's file: leave its mode alone
            os.chmod(self._path, 0o600)
        return connection

    # --- reading ---------------------------------------------------------------------------

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        # fetchall, not fetchone: a statement not run to its end keeps its read transaction
        # open, and this connection would go on seeing the cache as it was then.
        rows = self._db().execute("SELECT value, expires FROM cache WHERE key = ?", (key,))
        found = rows.fetchall()
        if not found or (found[0][1] is not None and found[0][1] <= time.time()):
            return default
        return pickle.loads(found[0][0])

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        wanted = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        rows = (
            self._db()
            .execute(
                f"SELECT key, value, expires FROM cache WHERE key IN ({marks})",
                list(wanted),
            )
            .fetchall()
        )
        now = time.time()
        return {
            wanted[key]: pickle.loads(value)
            for key, value, expires in rows
            if expires is None or expires > now
        }

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self.get(key, _MISSING, version=version) is not _MISSING

    # --- writing ---------------------------------------------------------------------------

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._write("INSERT OR REPLACE", key, value, timeout, version)

    def add(
        self,
        key: str,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        # An expired entry counts as absent: drop it first, in the same statement order.
        db.execute("DELETE FROM cache WHERE key = ? AND expires <= ?", (key, time.time()))
        cursor = db.execute(
            "INSERT OR IGNORE INTO cache (key, value, expires) VALUES (?, ?, ?)",
            (key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), self.get_backend_timeout(timeout)),
        )
        self._count_write()
        return cursor.rowcount == 1

    def set_many(
        self,
        data: dict[str, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[str]:
        for key, value in data.items():
            self.set(key, value, timeout, version=version)
        return []

    def touch(
        self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        cursor = self._db().execute(
            "UPDATE cache SET expires = ? WHERE key = ?", (self.get_backend_timeout(timeout), key)
        )
        return cursor.rowcount == 1

    def delete(self, key: str, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        for key in keys:
            self.delete(key, version=version)

    def clear(self) -> None:
        self._db().execute("DELETE FROM cache")

    def _write(
        self, verb: str, key: str, value: Any, timeout: float | None, version: int | None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        self._db().execute(
            f"{verb} INTO cache (key, value, expires) VALUES (?, ?, ?)",
            (key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), self.get_backend_timeout(timeout)),
        )
        self._count_write()

    def _count_write(self) -> None:
        self._writes += 1
        if self._writes % _CULL_EVERY == 0:
            self._cull()

    def _cull(self) -> None:
        db = self._db()
        db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))
        # Row ids grow with every write (a replaced key gets a new one): keep the newest.
        db.execute(
            "DELETE FROM cache WHERE rowid <= (SELECT max(rowid) FROM cache) - ?",
            (self._max_entries,),
        )


_MISSING = object()
