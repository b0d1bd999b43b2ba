"""What a parse worker sends back is a value: a Document, NotAFeed, or a Crash record for a bug.

Real worker processes from the fork server (and the in-process pool, which must answer alike);
through `poll_feeds`, a crashed worker is one unreadable feed, not a stopped cycle.
"""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest
from django.utils import timezone

from dateline.core.safehttp import FetchPolicy
from dateline.wire import services
from dateline.wire.models import Article, Feed
from dateline.wire.pipeline.crash import Crash
from dateline.wire.pipeline.parse import Document, NotAFeed, ParsePool, result_of
from dateline.wire.tests.feedfactory import items, rss
from tests.support.loopback import LoopbackServer, Reply

FAST = FetchPolicy(allow_loopback=True, connect_timeout=2, read_timeout=2, total_timeout=3)


@pytest.fixture(params=[1, 0], ids=["worker", "in-process"])
def pool(request):
    with ParsePool(request.param) as running:
        yield running


def test_a_feed_comes_back_as_a_document_and_a_web_page_as_not_a_feed(pool):
    document = result_of(pool.parse(rss(items(2)), base_url="https://news.example/rss"))
    assert isinstance(document, Document) and len(document.candidates) == 2
    html = b"<html><body><p>Hello</p></body></html>"
    page = result_of(pool.parse(html, content_type="text/html"))
    assert page == NotAFeed("not a feed: an HTML page")


def test_a_bug_in_the_worker_comes_back_as_a_crash_record_with_its_traceback(pool):
    # A header of the wrong type is a caller's bug, not a feed's fault: the worker reports it.
    crash = result_of(pool.parse(rss(items(1)), content_type=5))  # type: ignore[arg-type]
    assert isinstance(crash, Crash) and crash.kind == "AttributeError"
    assert crash.traceback.startswith("Traceback") and "read_document" in crash.traceback


class DyingPool(ParsePool):
    """A pool whose worker dies while parsing, as a killed process would."""

    def parse(self, body: bytes, **headers: str | None) -> Future[Document | NotAFeed | Crash]:
        died: Future[Document | NotAFeed | Crash] = Future()
        died.set_exception(BrokenProcessPool("a worker died"))
        return died


@pytest.mark.django_db
def test_a_feed_whose_parse_worker_died_is_recorded_and_the_cycle_goes_on():
    with LoopbackServer() as server:
        urls = [server.route(f"/{name}", Reply(body=rss(items(2, prefix=name)))) for name in "ab"]
        feeds = [services.add_feed(url=url, outlet_name="Outlet") for url in urls]
        with DyingPool(0) as pool:
            outcomes = services.poll_feeds(feeds, timezone.now(), policy=FAST, pool=pool)
    assert len(outcomes) == 2
    for outcome in outcomes:
        assert outcome.error.startswith("could not be parsed (BrokenProcessPool)")
    assert Article.objects.count() == 0
    for feed in Feed.objects.all():
        assert feed.error_count == 1 and feed.claimed_until is None
        assert feed.last_error.startswith("could not be parsed (BrokenProcessPool)")
