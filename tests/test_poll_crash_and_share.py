"""Polling survives a killed worker, and two workers on PostgreSQL never poll one feed twice.

Real `dateline poll` processes, a real loopback server, real databases."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from dateline.wire.tests.feedfactory import Item, items, rss
from tests.support.loopback import LoopbackServer, Reply
from tests.support.postgres import fresh_database
from tests.support.processes import dateline, isolated_env, start_dateline

FEEDS = 120
PER_FEED = 5


def serve_feeds(server: LoopbackServer, *, delay: float, directory: Path) -> Path:
    """FEEDS feeds of PER_FEED entries each; every feed also carries one article syndicated by
    its neighbour (same link, another GUID), so cross-feed dedupe is part of what must survive."""
    lines = ['<?xml version="1.0"?><opml version="2.0"><head/><body>']
    for n in range(FEEDS):
        shared = Item(
            f"feed{n}-shared", f"Shared story {n // 2}", f"https://wire.example/s/{n // 2}"
        )
        body = rss([shared, *items(PER_FEED - 1, prefix=f"feed{n}")], title=f"Feed {n}")
        url = server.route(f"/f/{n}", Reply(body=body, delay=delay))
        lines.append(f'<outline type="rss" text="Feed {n}" xmlUrl="{url}"/>')
    lines.append("</body></opml>")
    opml = directory / "feeds.opml"
    opml.write_text("".join(lines))
    return opml


EXPECTED_SIGHTINGS = FEEDS * PER_FEED
EXPECTED_ARTICLES = FEEDS * (PER_FEED - 1) + FEEDS // 2


def counts(connection: sqlite3.Connection) -> tuple[int, int]:
    articles = connection.execute("SELECT count(*) FROM wire_article").fetchone()[0]
    sightings = connection.execute("SELECT count(*) FROM wire_sighting").fetchone()[0]
    return articles, sightings


def test_killing_a_poller_mid_cycle_loses_and_duplicates_nothing(tmp_path):
    env = isolated_env(tmp_path / "var")
    with LoopbackServer() as server:
        opml = serve_feeds(server, delay=0.1, directory=tmp_path)
        dateline("migrate", "-v", "0", env=env)
        dateline("feeds", "import-opml", str(opml), env=env)
        database = sqlite3.connect(tmp_path / "var" / "dateline.sqlite3", timeout=30)
        poller = start_dateline(
            "poll", "--once", env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while counts(database)[1] < EXPECTED_SIGHTINGS // 4:
                assert poller.poll() is None, "the poller finished before it could be killed"
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            # The whole process group, parse workers included: as if the machine lost power.
            os.killpg(poller.pid, signal.SIGKILL)
            poller.wait()
        stored_at_kill = counts(database)
        assert 0 < stored_at_kill[1] < EXPECTED_SIGHTINGS

        # The killed poller's leases run out (simulated: they are moved into the past).
        database.execute("UPDATE wire_feed SET claimed_until = '2000-01-01 00:00:00'"
                         " WHERE claimed_until IS NOT NULL")  # fmt: skip
        database.commit()
        dateline("poll", "--once", env=env)
        assert counts(database) == (EXPECTED_ARTICLES, EXPECTED_SIGHTINGS)
        # Each feed's entries exactly once, each shared story once with both feeds' sightings.
        per_feed = database.execute(
            "SELECT count(*), count(DISTINCT key) FROM wire_sighting GROUP BY feed_id"
        ).fetchall()
        assert per_feed == [(PER_FEED, PER_FEED)] * FEEDS
        shared = database.execute(
            "SELECT count(*) FROM wire_article WHERE url LIKE 'https://wire.example/s/%'"
        ).fetchone()[0]
        assert shared == FEEDS // 2
        # Feeds stored before the kill were not fetched again: they were done.
        hits = [len(server.hits(f"/f/{n}")) for n in range(FEEDS)]
        assert max(hits) <= 2 and hits.count(1) > 0


@pytest.mark.postgres
def test_two_pollers_on_postgresql_never_poll_the_same_feed(postgres_server_url, tmp_path):
    with fresh_database(postgres_server_url) as url, LoopbackServer() as server:
        env = isolated_env(tmp_path / "var", DATELINE_DATABASE_URL=url)
        opml = serve_feeds(server, delay=0.02, directory=tmp_path)
        dateline("migrate", "-v", "0", env=env)
        dateline("feeds", "import-opml", str(opml), env=env)
        pollers = [start_dateline("poll", "--once", env=env) for _ in range(2)]
        outputs = [poller.communicate(timeout=300)[0] for poller in pollers]
        assert all(poller.returncode == 0 for poller in pollers), outputs
        hits = [len(server.hits(f"/f/{n}")) for n in range(FEEDS)]
        assert hits == [1] * FEEDS  # each feed fetched by exactly one of the two
        report = dateline(
            "shell", "-c",
            "from dateline.wire.models import Article, Sighting;"
            "print(Article.objects.count(), Sighting.objects.count())",
            env=env,
        )  # fmt: skip
        last_line = report.stdout.strip().splitlines()[-1]
        assert last_line.split() == [str(EXPECTED_ARTICLES), str(EXPECTED_SIGHTINGS)]
