"""The SQLite page cache (core/sqlite_cache.py): limits, expiry, an old file's shape, its log."""

from __future__ import annotations

import multiprocessing
import sqlite3
import struct
import threading
from pathlib import Path
from typing import Any

import pytest

from dateline.core.sqlite_cache import DELETE_EXPIRED, DELETE_SURPLUS, SQLiteCache


def make_cache(path: Path, **options: object) -> SQLiteCache:
    return SQLiteCache(str(path), {"OPTIONS": options})


def stored_keys(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [key for (key,) in db.execute("SELECT key FROM entries ORDER BY rowid")]


def test_writes_past_the_limit_drop_the_oldest_entries(tmp_path: Path) -> None:
    path = tmp_path / "pages.sqlite3"
    cache = make_cache(path, MAX_ENTRIES=50)
    for n in range(200):
        cache.set(f"page-{n}", f"body {n}")
    keys = stored_keys(path)
    assert len(keys) == 50
    assert cache.get("page-199") == "body 199"
    assert cache.get("page-150") == "body 150"
    assert cache.get("page-149") is None


def test_expired_entries_are_deleted_by_later_writes(tmp_path: Path) -> None:
    path = tmp_path / "pages.sqlite3"
    cache = make_cache(path)
    for n in range(4):
        cache.set(f"gone-{n}", "old", timeout=0)  # 0: expired at once
    cache.set("kept", "new")
    cache.set("kept-too", "new")
    assert cache.get("gone-0") is None
    assert len([key for key in stored_keys(path) if "gone" in key]) == 0


def test_the_cull_reads_indexes_never_the_whole_table(tmp_path: Path) -> None:
    # An expiry test by table scan has to walk every entry's overflow pages: the whole file,
    # inside whichever request culled (the slow 1% of uncached pages, decision 0100).
    path = tmp_path / "pages.sqlite3"
    make_cache(path).set("page", "body")
    with sqlite3.connect(path) as db:
        for statement in (DELETE_EXPIRED, DELETE_SURPLUS):
            plan = " | ".join(
                row[3] for row in db.execute("EXPLAIN QUERY PLAN " + statement, (0, 2))
            )
            assert "SCAN" not in plan, plan


def test_a_file_of_the_old_shape_is_emptied_and_used(tmp_path: Path) -> None:
    path = tmp_path / "pages.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)")
        db.execute("INSERT INTO cache VALUES ('old', x'00', NULL)")
    cache = make_cache(path)
    cache.set("page", "body")
    assert cache.get("page") == "body"
    with sqlite3.connect(path) as db:
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert tables == {"entries"}


def test_the_log_starts_over_while_writes_never_pause(tmp_path: Path) -> None:
    # Passive checkpoints alone seldom let SQLite rewind a log that is always being appended
    # to (it grew to 70 MB in a minute of uncached page views): the checkpointer asks for a
    # restart once the log is long. Each rewind counts up the sequence number in the log's
    # header: about 15 here, against about 4 (the writers' backstop, and luck) without.
    path = tmp_path / "pages.sqlite3"
    cache = make_cache(path, CHECKPOINT_AFTER_SECONDS=0.01, WAL_RESTART_PAGES=64)
    reading = threading.Event()
    reading.set()

    def read_all_the_time() -> None:
        reader = make_cache(path)
        while reading.is_set():
            reader.get("page-0")

    reader = threading.Thread(target=read_all_the_time)
    reader.start()
    try:
        body = "x" * 4000
        for n in range(3000):
            cache.set(f"page-{n}", body)
    finally:
        reading.clear()
        reader.join()
    header = path.with_name(path.name + "-wal").read_bytes()[:16]
    (rewinds,) = struct.unpack(">I", header[12:16])
    assert rewinds >= 9, rewinds


@pytest.mark.parametrize("key", ["a", "page:/2017/05/x/?q=1"])
def test_get_after_set_round_trips(tmp_path: Path, key: str) -> None:
    cache = make_cache(tmp_path / "pages.sqlite3")
    cache.set(key, {"body": b"<html>", "headers": [("ETag", '"1"')]})
    assert cache.get(key) == {"body": b"<html>", "headers": [("ETag", '"1"')]}


def _open_and_write(path: Path, start: Any, n: int) -> str:
    cache = make_cache(path)
    start.wait()
    try:
        cache.set(f"page-{n}", "body")
    except sqlite3.Error as error:
        return str(error)
    return ""


def test_many_processes_opening_a_new_file_at_once_all_get_it(tmp_path: Path) -> None:
    # Web workers start together: all but one lost the race to switch a new file to WAL and
    # were told "database is locked" at once, which the busy timeout does not cover.
    # Spawned, not forked: a fork of this threaded process (the cache's checkpointer threads,
    # the test runner's) could copy a lock some thread held, and hang.
    context = multiprocessing.get_context("spawn")
    failures = []
    with context.Manager() as manager, context.Pool(8) as pool:
        for attempt in range(5):
            start = manager.Barrier(8, timeout=60)
            path = tmp_path / f"pages-{attempt}.sqlite3"
            failures += pool.starmap(_open_and_write, [(path, start, n) for n in range(8)])
    assert [failure for failure in failures if failure] == []
