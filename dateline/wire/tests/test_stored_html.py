"""Feed HTML is sanitised before it is stored, and only for the entries that are written.

Parsing leaves entries' HTML as the feed wrote it (sanitising is the costly part of parsing,
and most entries of a feed that answers 200 are stored already); these tests hold the promise
that goes with it: nothing unsanitised reaches the database, whichever path stored it.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.core.safehttp import FetchPolicy
from dateline.wire import services
from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.decide import Candidate
from dateline.wire.models import Article, Feed, Sighting
from dateline.wire.pipeline.parse import ParsePool
from dateline.wire.tests.feedfactory import Item, rss
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db

FAST = FetchPolicy(allow_loopback=True, connect_timeout=2, read_timeout=1, total_timeout=2,
                   max_bytes=200_000)  # fmt: skip

HOSTILE = (
    '<p>Talks resume <script>alert("x")</script>'
    '<a href="/world/talks" onclick="steal()">in Geneva</a>'
    '<img src="javascript:alert(1)" onerror="steal()"></p>'
)


class CountingPool(ParsePool):
    """A real parse pool (worker processes) that remembers what it was asked to sanitise."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.sanitised: list[str] = []

    def sanitise(self, candidates: list[Candidate]) -> Future[list[Candidate]]:
        self.sanitised.extend(c.guid or "" for c in candidates)
        return super().sanitise(candidates)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def pool():
    with CountingPool(1) as running:
        yield running


def poll(feeds: list[Feed], pool: ParsePool) -> None:
    for feed in feeds:
        feed.refresh_from_db()
    services.poll_feeds(feeds, timezone.now(), policy=FAST, pool=pool)


def assert_safe(html: str) -> None:
    assert "<script" not in html and "alert" not in html
    assert "onclick" not in html and "onerror" not in html and "javascript:" not in html


def test_a_parse_worker_sanitises_the_entries_to_store(server, pool):
    url = server.route("/rss", Reply(body=rss([Item("a", "Talks", "https://news.example/a",
                                                     summary=HOSTILE)])))  # fmt: skip
    feed = services.add_feed(url=url, outlet_name="Outlet")
    poll([feed], pool)
    article = Article.objects.get()
    assert_safe(article.summary)
    # Relative links resolve against the feed's URL, as when the parser sanitised inline.
    assert f'href="{server.url("/world/talks")}"' in article.summary
    assert pool.sanitised == ["a"]


class RefusingPool(ParsePool):
    """A pool that parses but refuses the sanitising step, as a broken pool would."""

    def sanitise(self, candidates: list[Candidate]) -> Future[list[Candidate]]:
        raise RuntimeError("the pool is broken")


class CrashingPool(ParsePool):
    """A pool whose worker dies while sanitising, as a killed process would."""

    def sanitise(self, candidates: list[Candidate]) -> Future[list[Candidate]]:
        crashed: Future[list[Candidate]] = Future()
        crashed.set_exception(BrokenProcessPool("a worker died"))
        return crashed


@pytest.mark.parametrize("broken", [RefusingPool, CrashingPool])
def test_a_broken_pool_leaves_sanitising_to_the_storing_process(server, broken):
    url = server.route("/rss", Reply(body=rss([Item("a", "Talks", "https://news.example/a",
                                                     summary=HOSTILE)])))  # fmt: skip
    feed = services.add_feed(url=url, outlet_name="Outlet")
    with broken(1) as pool:
        poll([feed], pool)
    assert_safe(Article.objects.get().summary)
    feed.refresh_from_db()
    assert feed.last_error == ""  # the feed was read: a broken pool is no fault of the feed's


def test_storing_in_process_sanitises_too(server):
    url = server.route("/rss", Reply(body=rss([Item("a", "Talks", "https://news.example/a",
                                                     summary=HOSTILE)])))  # fmt: skip
    feed = services.add_feed(url=url, outlet_name="Outlet")
    feed.refresh_from_db()
    outcome = services.poll_feed(feed, policy=FAST)
    assert outcome.new == 1
    assert_safe(Article.objects.get().summary)


def test_importing_a_document_sanitises_what_it_stores():
    feed = services.add_feed(url="https://news.example/rss", outlet_name="Outlet")
    result = services.ingest_document(
        feed, rss([Item("a", "Talks", "https://news.example/a", summary=HOSTILE)])
    )
    assert result.new == 1
    assert_safe(Article.objects.get().summary)


def test_only_new_and_changed_entries_are_sanitised(server, pool):
    first = [Item(g, f"Story {g}", f"https://news.example/{g}", summary=HOSTILE) for g in "abc"]
    later = [
        first[0],
        first[1],
        Item("c", "Story c", "https://news.example/c", summary=HOSTILE + "<p>Updated.</p>"),
        Item("d", "Story d", "https://news.example/d", summary=HOSTILE),
    ]
    versions = iter([first, later])
    url = server.route("/rss", lambda seen: Reply(body=rss(next(versions))))
    feed = services.add_feed(url=url, outlet_name="Outlet")
    poll([feed], pool)
    assert sorted(pool.sanitised) == ["a", "b", "c"]

    pool.sanitised.clear()
    poll([feed], pool)
    assert sorted(pool.sanitised) == ["c", "d"]
    changed = Article.objects.get(guid="guid:c")
    assert "Updated." in changed.summary
    assert_safe(changed.summary)
    assert all("alert" not in a.summary for a in Article.objects.all())


def test_an_article_another_feed_stored_is_not_sanitised_again(server, pool):
    entries = [Item(g, f"Story {g}", f"https://news.example/{g}", summary=HOSTILE) for g in "ab"]
    world = services.add_feed(url=server.route("/world", Reply(body=rss(entries))),
                              outlet_name="Outlet")  # fmt: skip
    poll([world], pool)
    pool.sanitised.clear()
    top = services.add_feed(url=server.route("/top", Reply(body=rss(entries))), outlet_name="Two")
    poll([top], pool)
    assert pool.sanitised == []
    assert Article.objects.count() == 2
    assert Sighting.objects.filter(feed=top).count() == 2


ATOM_WITH_SVG = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id>
<updated>2026-02-16T09:00:00Z</updated>
<entry><id>urn:e1</id><title>Chart</title><updated>2026-02-16T09:00:00Z</updated>
<link href="https://news.example/chart"/>
<content type="image/svg+xml"><svg xmlns="http://www.w3.org/2000/svg" onload="steal()"/></content>
</entry></feed>"""


def test_text_of_another_media_type_is_stored_as_text_not_markup():
    feed = services.add_feed(url="https://news.example/atom", outlet_name="Outlet")
    services.ingest_document(feed, ATOM_WITH_SVG)
    content = Article.objects.get().content
    assert "<svg" not in content and "&lt;svg" in content


def test_raw_entry_html_leaves_only_entries_summaries_and_content_unsanitised():
    document = rss([Item("a", "Talks", "https://news.example/a", summary=HOSTILE)])
    raw = parse_feed(document, raw_entry_html=True).entries[0]
    cleaned = parse_feed(document).entries[0]
    assert raw.summary is not None and cleaned.summary is not None
    assert raw.summary.value == HOSTILE
    assert_safe(cleaned.summary.value)
    assert "Talks resume" in cleaned.summary.value


def test_only_web_links_are_stored_as_an_articles_url(server):
    # The desk's compose page makes the article's URL a link: a feed's javascript: link would
    # run in the editor's browser when clicked.
    hostile = ["javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)",
               "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]  # fmt: skip
    entries = [Item(f"g{n}", f"Entry {n}", link) for n, link in enumerate(hostile)]
    entries.append(Item("web", "Web entry", "https://news.example/web"))
    feed = services.add_feed(url=server.route("/rss", Reply(body=rss(entries))), outlet_name="O")
    assert services.poll_feed(feed, policy=FAST).new == 5
    urls = dict(Article.objects.values_list("title", "url"))
    assert urls == {**{f"Entry {n}": "" for n in range(4)}, "Web entry": "https://news.example/web"}
    # A relative link is resolved against the feed's URL first, so it stays.
    feed.refresh_from_db()
    server.route("/rss", Reply(body=rss([*entries, Item("late", "Late", "/relative")])))
    assert services.poll_feed(feed, policy=FAST).new == 1
    assert Article.objects.get(title="Late").url == server.url("/relative")


def test_a_json_feeds_relative_links_resolve_whatever_its_home_page_says(server):
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "J",
                "home_page_url": "javascript:alert(1)",
                "items": [{"id": "1", "title": "One", "url": "/stories/1"}]}  # fmt: skip
    url = server.route(
        "/feed.json",
        Reply(
            body=json.dumps(document).encode(), headers={"Content-Type": "application/feed+json"}
        ),
    )
    feed = services.add_feed(url=url, outlet_name="O")
    assert services.poll_feed(feed, policy=FAST).new == 1
    assert Article.objects.get().url == server.url("/stories/1")


def test_a_change_only_to_what_sanitising_drops_leaves_the_article_unchanged(server, pool):
    # A feed that writes a fresh nonce into a script on every request, and tracking attributes:
    # the stored (sanitised) text is the same on every poll, so the article did not change.
    def entry(nonce: str, extra: str = "") -> Item:
        summary = (f'<p data-track="{nonce}" onclick="t({nonce!r})">Talks resume.</p>'
                   f"<script>var n = {nonce!r};</script>{extra}")  # fmt: skip
        return Item("a", "Talks", "https://news.example/a", summary=summary)

    versions = iter([
        [entry("1")],
        [entry("2", "<style>p { color: red }</style>  ")],
        [entry("2", "<style>p { color: red }</style>  "),
         Item("b", "Vote", "https://news.example/b", summary="<p>Vote.</p>")],
        [entry("2", "<p>Updated.</p>"), Item("b", "Vote", "https://news.example/b",
                                             summary="<p>Vote.</p>")],
    ])  # fmt: skip
    url = server.route("/rss", lambda seen: Reply(body=rss(next(versions))))
    feed = services.add_feed(url=url, outlet_name="Outlet")
    poll([feed], pool)
    stored = Article.objects.get()
    feed.refresh_from_db()
    (outcome,) = services.poll_feeds([feed], timezone.now(), policy=FAST, pool=pool)
    assert outcome.changed == 0
    again = Article.objects.get()
    assert again.changed_at is None
    assert (again.summary, again.earlier_titles) == (stored.summary, stored.earlier_titles)

    # The entry's new raw form is remembered: the next poll does not sanitise it again.
    pool.sanitised.clear()
    poll([feed], pool)
    assert pool.sanitised == ["b"]
    assert Article.objects.get(guid="guid:a").changed_at is None

    # A change to what is stored still counts.
    poll([feed], pool)
    changed = Article.objects.get(guid="guid:a")
    assert changed.changed_at is not None and "Updated." in changed.summary


def test_entries_sanitised_in_the_pool_are_looked_up_once(server, pool):
    first = [Item(g, f"Story {g}", f"https://news.example/{g}", summary=HOSTILE) for g in "ab"]
    later = [first[0], Item("b", "Story b", "https://news.example/b", summary="<p>New.</p>"),
             Item("c", "Story c", "https://news.example/c", summary=HOSTILE)]  # fmt: skip
    versions = iter([first, later])
    url = server.route("/rss", lambda seen: Reply(body=rss(next(versions))))
    feed = services.add_feed(url=url, outlet_name="Outlet")
    for expected_new, expected_changed in ((2, 0), (1, 1)):
        feed.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            (outcome,) = services.poll_feeds([feed], timezone.now(), policy=FAST, pool=pool)
        assert (outcome.new, outcome.changed) == (expected_new, expected_changed)
        sightings = [q["sql"] for q in queries if q["sql"].startswith('SELECT "key"')]
        articles = [q["sql"] for q in queries if " IN (SELECT " in q["sql"]]
        assert (len(sightings), len(articles)) == (1, 1)
    assert Article.objects.get(guid="guid:b").summary == "<p>New.</p>"
    assert Sighting.objects.filter(feed=feed).count() == 3


class MeanwhilePool(ParsePool):
    """A real parse pool during whose first sanitising another writer stores something."""

    def __init__(self, workers: int, meanwhile) -> None:
        super().__init__(workers)
        self.meanwhile = meanwhile

    def sanitise(self, candidates: list[Candidate]) -> Future[list[Candidate]]:
        meanwhile, self.meanwhile = self.meanwhile, lambda: None
        meanwhile()
        return super().sanitise(candidates)


def test_an_article_another_feed_stored_while_sanitising_is_not_stored_twice(server):
    entry = Item("a", "Talks", "https://news.example/a", summary=HOSTILE)
    world = services.add_feed(url=server.route("/world", Reply(body=rss([entry]))),
                              outlet_name="Outlet")  # fmt: skip
    top = services.add_feed(url="https://news.example/top", outlet_name="Two")

    def another_feed_stores_it() -> None:
        services.ingest_document(top, rss([Item("top-a", "Talks", "https://news.example/a")]))

    with MeanwhilePool(1, another_feed_stores_it) as pool:
        world.refresh_from_db()
        (outcome,) = services.poll_feeds([world], timezone.now(), policy=FAST, pool=pool)
    assert (outcome.new, outcome.seen, outcome.error) == (0, 1, "")
    article = Article.objects.get()
    assert Sighting.objects.filter(feed=world, article=article).count() == 1


def test_an_article_changed_by_another_writer_while_sanitising_keeps_its_titles(server):
    versions = iter([
        [Item("a", "Five dead", "https://news.example/a", summary="<p>Blast.</p>")],
        [Item("a", "Six dead", "https://news.example/a", summary=HOSTILE)],
    ])  # fmt: skip
    url = server.route("/rss", lambda seen: Reply(body=rss(next(versions))))
    feed = services.add_feed(url=url, outlet_name="Outlet")
    feed.refresh_from_db()
    services.poll_feed(feed, policy=FAST)

    def another_writer_changes_it() -> None:
        Article.objects.update(title="Seven dead", content_hash="0" * 32,
                               earlier_titles=["Five dead"])  # fmt: skip

    with MeanwhilePool(1, another_writer_changes_it) as pool:
        feed.refresh_from_db()
        (outcome,) = services.poll_feeds([feed], timezone.now(), policy=FAST, pool=pool)
    assert outcome.changed == 1
    article = Article.objects.get()
    assert article.title == "Six dead"
    assert article.earlier_titles == ["Five dead", "Seven dead"]
    assert_safe(article.summary)
