"""Several workers claim due rows at the same moment and never get the same row twice, whatever
their own clocks say; a poll batch keeps its claims while it is in hand."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from dateline.core import claims
from dateline.wire.models import Feed, Outlet
from dateline.wire.tests.feedfactory import items, rss
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import dateline

pytestmark = pytest.mark.django_db(transaction=True)


def make_feeds(count: int) -> None:
    outlet = Outlet.objects.create(name="Claims Test Outlet")
    Feed.objects.bulk_create(
        Feed(outlet=outlet, url=f"https://feeds.example.org/{n}.xml") for n in range(count)
    )


def test_concurrent_claims_are_disjoint_and_cover_everything():
    make_feeds(60)
    now = timezone.now()
    results: list[list[object]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        try:
            start.wait()
            mine: list[object] = []
            while batch := claims.claim(Feed.objects.due(now), lease=timedelta(minutes=5), limit=7):
                mine += batch
            results.append(mine)
        except BaseException as error:  # surfaced below: a thread's failure must fail the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    claimed = [key for batch in results for key in batch]
    assert len(claimed) == len(set(claimed)) == 60


def test_an_expired_claim_is_claimed_again_and_a_live_one_is_not():
    make_feeds(2)
    first = claims.claim(Feed.objects.all(), lease=timedelta(minutes=1), limit=1)
    assert len(first) == 1
    second = claims.claim(Feed.objects.all(), lease=timedelta(minutes=1), limit=5)
    assert len(second) == 1 and second != first
    # Both leases run out (moved into the past: the database's clock cannot be wound on).
    Feed.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert sorted(claims.claim(Feed.objects.all(), lease=timedelta(minutes=1), limit=5)) == sorted(
        first + second
    )


# --- Issue #22, item 16: leases by the database's clock ------------------------------------------
# Two workers on two machines whose clocks disagree: each is given its own `now` (the worker's
# clock, faked), the database's is the real one. Through the wire's and the full-text job's own
# claiming services, on SQLite and PostgreSQL.

SKEWED_CLOCKS = """
from datetime import timedelta
from django.utils import timezone
from dateline.wire import fulltext, services
from dateline.wire.models import Article, Feed, FullTextStatus, Outlet

outlet = Outlet.objects.create(name="Clocks Outlet")
Feed.objects.bulk_create(Feed(outlet=outlet, url=f"https://feeds.example.org/{n}.xml")
                         for n in range(20))
Article.objects.bulk_create(Article(outlet=outlet, guid=f"g{n}", url=f"https://e.example/{n}",
                                    full_text_status=FullTextStatus.PENDING) for n in range(20))
real = timezone.now()
ahead, behind = real + timedelta(minutes=15), real - timedelta(minutes=15)

# Worker A's clock is right; worker B's runs 15 minutes ahead: B must not take what A holds.
a_feeds, b_feeds = services.claim_due_feeds(real), services.claim_due_feeds(ahead)
a_articles, b_articles = fulltext.claim_pending(real), fulltext.claim_pending(ahead)
print("ahead", len(a_feeds), len(b_feeds), len(a_articles), len(b_articles))

# A's leases run out by the database's clock (A died); worker C's clock is 15 minutes behind: C
# must take them now, not a quarter of an hour later.
Feed.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
Article.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
c_feeds, c_articles = services.claim_due_feeds(behind), fulltext.claim_pending(behind)
print("behind", len(c_feeds), len(c_articles))
"""


def test_workers_whose_clocks_disagree_never_hold_one_row_and_expiry_is_the_databases(
    database_env,
):
    dateline("migrate", "-v", "0", env=database_env)
    out = dateline("shell", "-c", SKEWED_CLOCKS, env=database_env).stdout
    ahead = re.search(r"ahead (\d+) (\d+) (\d+) (\d+)", out)
    behind = re.search(r"behind (\d+) (\d+)", out)
    assert ahead is not None and behind is not None, out
    # Before, B took every row A held: A's leases were 10 minutes long by A's clock.
    assert [int(n) for n in ahead.groups()] == [20, 0, 20, 0]
    assert [int(n) for n in behind.groups()] == [20, 20]


# --- Issue #22, item 17: a poll batch renews its claims while it is in hand ----------------------
# Worker A polls feeds whose hosts answer slowly: its batch outlasts three of its leases (made
# short for the test; the worker's are 10 minutes). Worker B, its own connection, polls whatever
# is due all the while. Each feed must be fetched once.

SLOW_FEEDS = 3
OUTLASTING_BATCH = """
import threading, time
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from dateline.wire import services

LEASE = timedelta(seconds=3)
batch = services.claim_due_feeds(timezone.now(), lease=LEASE)
done = threading.Event()

def worker_a():
    try:
        services.poll_feeds(batch, timezone.now(), lease=LEASE)
    finally:
        done.set()
        connection.close()

thread = threading.Thread(target=worker_a)
thread.start()
polled_by_b = 0
while not done.is_set():
    polled_by_b += len(services.poll_due_feeds(timezone.now(), lease=LEASE))
    time.sleep(0.2)
thread.join()
print("a", len(batch), "b", polled_by_b)
"""


def test_a_poll_batch_that_outlasts_its_first_lease_polls_nothing_twice(database_env, tmp_path):
    dateline("migrate", "-v", "0", env=database_env)
    with LoopbackServer() as server:
        outlines = "".join(
            f'<outline type="rss" text="Slow {n}" xmlUrl="{server.route(f"/slow/{n}", reply)}"/>'
            for n in range(SLOW_FEEDS)
            for reply in [Reply(body=rss(items(2, prefix=f"s{n}")), delay=10)]
        )
        opml = tmp_path / "slow.opml"
        opml.write_text(f'<opml version="2.0"><head/><body>{outlines}</body></opml>')
        dateline("feeds", "import-opml", str(opml), env=database_env)
        out = dateline("shell", "-c", OUTLASTING_BATCH, env=database_env).stdout
        assert f"a {SLOW_FEEDS} b 0" in out, out
        # Before, B took each feed again once A's first lease ran out, and fetched it too.
        assert [len(server.hits(f"/slow/{n}")) for n in range(SLOW_FEEDS)] == [1] * SLOW_FEEDS
