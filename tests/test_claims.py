"""Several workers claim due rows at the same moment and never get the same row twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from dateline.core import claims
from dateline.wire.models import Feed, Outlet

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
            while batch := claims.claim(
                Feed.objects.due(now), now=now, lease=timedelta(minutes=5), limit=7
            ):
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
    now = timezone.now()
    first = claims.claim(Feed.objects.all(), now=now, lease=timedelta(minutes=1), limit=1)
    assert len(first) == 1
    second = claims.claim(Feed.objects.all(), now=now, lease=timedelta(minutes=1), limit=5)
    assert len(second) == 1 and second != first
    later = now + timedelta(minutes=2)
    assert sorted(
        claims.claim(Feed.objects.all(), now=later, lease=timedelta(minutes=1), limit=5)
    ) == sorted(first + second)
