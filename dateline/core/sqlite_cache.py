"""A Django cache backend in one SQLite file: the default cache every process of a site shares.

Django's own choices for one machine fall short here: LocMem is per process (each worker
rendered and stamped its own copy of a page, and answered its own ETag), and the file-based
cache lists its whole directory on every write to decide whether to cull. A SQLite file in
WAL mode gives every process on the machine the same entries, reads a key with one indexed
lookup and no lock, and culls by row id (the newest MAX_ENTRIES writes are kept).

Culling costs each write a little instead of every hundredth write a lot: a request that had to
cull thousands of entries at once was the slow 1% of uncached page views (decision 0100). So
``expires`` sits before ``value`` in the row and has its own index (a column after a page-sized
blob can only be read by walking the blob's overflow pages: the old cull's expiry scan read the
whole file, 20 ms at 7,500 entries), and each write deletes at most a few expired or surplus
rows.

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

# The table is named for its shape: a file written by an older shape (the table "cache", with
# expires after the value) is dropped, since a cache may always be emptied.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries ("
    " key TEXT PRIMARY KEY, expires REAL, value BLOB NOT NULL);"  # expires NULL: never
    "CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires) WHERE expires IS NOT NULL;"
)
_OLD_TABLE = "cache"
# Rows one write may delete: a write adds one row, so deleting up to two keeps the table at its
# limit while a change of MAX_ENTRIES or a wave of expiries drains over the following writes.
_CULL_ROWS = 2
# The cull's statements, each an index range read (a test checks the query plans).
DELETE_EXPIRED = (
    "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE expires <= ? LIMIT ?)"
)
# Row ids grow with every write (a replaced key gets a new one): the oldest go first.
DELETE_SURPLUS = (
    "DELETE FROM entries WHERE rowid IN (SELECT rowid FROM entries WHERE rowid <="
    " (SELECT max(rowid) FROM entries) - ? ORDER BY rowid LIMIT ?)"
)
# How long a writer waits for another process's write to finish.
_BUSY_SECONDS = 5.0
# A WAL checkpoint copies the log into the file and syncs it: 10-35 ms, which SQLite would
# spend inside whichever write crosses its 1,000-page mark, one request in a few hundred. A
# thread of each process does it instead, this long after a write (so a burst of writes costs
# one checkpoint); writers still checkpoint past the backstop, should that thread fall behind.
# A passive checkpoint waits for no one, but while writes never pause the log is never wholly
# copied, so SQLite never starts it over and it grows: past RESTART_PAGES the thread asks for
# a restart, which holds writers back only for the last frames, and the log starts over.
# (Options CHECKPOINT_AFTER_SECONDS and WAL_RESTART_PAGES, for tests.)
_CHECKPOINT_AFTER_SECONDS = 0.5
_WAL_RESTART_PAGES = 4_000  # 16 MB of 4 KB pages
_WRITER_CHECKPOINT_BACKSTOP_PAGES = 8_000
_WAL_BYTES_KEPT = 64 * 1024 * 1024  # journal_size_limit: a log grown past it is cut back


class SQLiteCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._path = Path(location)
        self._local = threading.local()
        options = params.get("OPTIONS", {})
        self._checkpoint_after = float(
            options.get("CHECKPOINT_AFTER_SECONDS", _CHECKPOINT_AFTER_SECONDS)
        )
        self._restart_pages = int(options.get("WAL_RESTART_PAGES", _WAL_RESTART_PAGES))

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
        # Processes starting together on a new file race to switch it to WAL, and SQLite
        # answers the loser "database is locked" at once, without the busy timeout: try again.
        deadline = time.monotonic() + _BUSY_SECONDS
        while True:
            try:
                _prepare(connection)
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        with contextlib.suppress(OSError):  # someone else's file: leave its mode alone
            os.chmod(self._path, 0o600)
        return connection

    # --- reading ---------------------------------------------------------------------------

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        # fetchall, not fetchone: a statement not run to its end keeps its read transaction
        # open, and this connection would go on seeing the cache as it was then.
        rows = self._db().execute("SELECT value, expires FROM entries WHERE key = ?", (key,))
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
                f"SELECT key, value, expires FROM entries WHERE key IN ({marks})",
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
        db.execute("DELETE FROM entries WHERE key = ? AND expires <= ?", (key, time.time()))
        cursor = db.execute(
            "INSERT OR IGNORE INTO entries (key, value, expires) VALUES (?, ?, ?)",
            (key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), self.get_backend_timeout(timeout)),
        )
        if cursor.rowcount == 1:
            self._cull(db)
            self._checkpointer().wrote()
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
            "UPDATE entries SET expires = ? WHERE key = ?", (self.get_backend_timeout(timeout), key)
        )
        return cursor.rowcount == 1

    def delete(self, key: str, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM entries WHERE key = ?", (key,)).rowcount == 1

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        for key in keys:
            self.delete(key, version=version)

    def clear(self) -> None:
        self._db().execute("DELETE FROM entries")

    def _write(
        self, verb: str, key: str, value: Any, timeout: float | None, version: int | None
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        db = self._db()
        db.execute(
            f"{verb} INTO entries (key, value, expires) VALUES (?, ?, ?)",
            (key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), self.get_backend_timeout(timeout)),
        )
        self._cull(db)
        self._checkpointer().wrote()

    def _checkpointer(self) -> _Checkpointer:
        key = (os.getpid(), self._path)
        found = _checkpointers.get(key)
        if found is None:
            with _checkpointers_lock:
                found = _checkpointers.get(key)
                if found is None:
                    found = _checkpointers[key] = _Checkpointer(
                        self._path, after=self._checkpoint_after, restart=self._restart_pages
                    )
        return found

    def _cull(self, db: sqlite3.Connection) -> None:
        """Deletes up to _CULL_ROWS expired rows, then up to as many of the oldest past
        MAX_ENTRIES. Both are index range reads: when nothing is due they cost microseconds."""
        db.execute(DELETE_EXPIRED, (time.time(), _CULL_ROWS))
        db.execute(DELETE_SURPLUS, (self._max_entries, _CULL_ROWS))


_MISSING = object()


def _prepare(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")  # a cache may lose its last writes
    connection.execute(f"PRAGMA wal_autocheckpoint={_WRITER_CHECKPOINT_BACKSTOP_PAGES}")
    connection.execute(f"PRAGMA journal_size_limit={_WAL_BYTES_KEPT}")
    connection.executescript(_SCHEMA)
    # Dropped only when there: a DROP takes the write lock even when it finds nothing.
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_OLD_TABLE,)
    ).fetchall()
    if found:
        connection.execute(f"DROP TABLE IF EXISTS {_OLD_TABLE}")


class _Checkpointer:
    """Checkpoints one cache file's WAL from a daemon thread of this process, soon after writes.

    SQLite releases the GIL while it copies and syncs, so requests in other threads go on.
    """

    def __init__(self, path: Path, *, after: float, restart: int) -> None:
        self._path = path
        self._after = after
        self._restart = restart
        self._due = threading.Event()
        threading.Thread(target=self._run, name=f"checkpoint {path.name}", daemon=True).start()

    def wrote(self) -> None:
        self._due.set()

    def _run(self) -> None:
        # A short wait: a restart that cannot have the log soon is tried after the next write.
        connection = sqlite3.connect(
            self._path, timeout=0.2, isolation_level=None, check_same_thread=False
        )
        while True:
            self._due.wait()
            time.sleep(self._after)
            self._due.clear()
            # Busy or locked (another process checkpointing, the file being replaced): the
            # next write asks again, and writers keep the backstop.
            with contextlib.suppress(sqlite3.Error):
                _, log_pages, _ = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if log_pages >= self._restart:
                    connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()


# One checkpointer per process and file; a forked child starts its own (threads do not fork).
_checkpointers: dict[tuple[int, Path], _Checkpointer] = {}
_checkpointers_lock = threading.Lock()
