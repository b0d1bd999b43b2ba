"""Full text: article pages fetched from a real loopback server, robots.txt honoured, failures
falling back to the summary with their reason."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dateline.wire import services
from dateline.wire.models import Article, FullTextStatus
from dateline.wire.tests.feedfactory import Item, rss
from tests.support.loopback import LoopbackServer, Reply

from .test_polling import FAST

pytestmark = pytest.mark.django_db

HTML = {"Content-Type": "text/html; charset=utf-8"}
ARTICLE = b"""<!doctype html><html><head><title>Talks resume</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Talks resume in Geneva</h1>
<p onclick="steal()">Negotiators from both sides met on Tuesday for the first time in three
months, officials said, after weeks of shuttle diplomacy between the capitals.</p>
<p>The talks are expected to last several days and will focus on a ceasefire, an exchange of
prisoners and the return of displaced families to their homes before winter.</p>
<script>document.title = "pwned"</script>
<p>"We are cautiously optimistic," one diplomat told reporters outside the venue.</p>
</article><footer>All rights reserved</footer></body></html>"""


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def follow_with_full_text(server: LoopbackServer, entries: list[Item]) -> None:
    feed = services.add_feed(url=server.route("/rss", Reply(body=rss(entries))), outlet_name="O")
    services.set_full_text(feed, True)
    feed.refresh_from_db()
    services.poll_feed(feed, policy=FAST)
    assert not Article.objects.exclude(full_text_status=FullTextStatus.PENDING).exists()


def by_guid() -> dict[str, Article]:
    return {a.guid.removeprefix("guid:"): a for a in Article.objects.all()}


def test_pages_are_fetched_robots_honoured_and_failures_keep_the_summary(server):
    server.route("/robots.txt", Reply(body=b"User-agent: *\nDisallow: /private/\n"))
    server.route("/news/talks", Reply(body=ARTICLE, headers=HTML))
    server.route("/private/memo", Reply(body=ARTICLE, headers=HTML))
    empty_page = b"<html><head><title>Loading</title></head><body></body></html>"
    server.route("/news/empty", Reply(body=empty_page, headers=HTML))
    server.route(
        "/news/report.pdf", Reply(body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    )
    entries = [
        Item(name, name.title(), server.url(path), summary=f"Summary of {name}.")
        for name, path in [("talks", "/news/talks"), ("memo", "/private/memo"),
                           ("empty", "/news/empty"), ("gone", "/news/gone"),
                           ("pdf", "/news/report.pdf")]
    ]  # fmt: skip
    follow_with_full_text(server, entries)

    assert services.full_text_job(timezone.now(), policy=FAST) == 5
    articles = by_guid()
    talks = articles["talks"]
    assert talks.full_text_status == FullTextStatus.FETCHED and talks.full_text_note == ""
    assert "cautiously optimistic" in talks.full_text and "Shuttle" not in talks.full_text
    # Sanitised like any feed HTML: no script, no event handler; the navigation left out.
    assert "<script" not in talks.full_text and "onclick" not in talks.full_text
    assert "pwned" not in talks.full_text and "Sport" not in talks.full_text
    assert talks.body == talks.full_text and talks.summary == "Summary of talks."

    outcomes = {
        name: (a.full_text_status, a.full_text_note)
        for name, a in articles.items()
        if name != "talks"
    }
    assert outcomes == {
        "memo": (FullTextStatus.ROBOTS, "robots.txt of the site disallows it"),
        "empty": (FullTextStatus.FAILED, "no main text found on the page"),
        "gone": (FullTextStatus.FAILED, "HTTP 404"),
        "pdf": (FullTextStatus.FAILED, "not an HTML page (application/pdf)"),
    }
    for name in outcomes:
        assert articles[name].body == f"Summary of {name}." and articles[name].full_text == ""
    # The refused page was never requested; robots.txt was read once for the host.
    assert server.hits("/private/memo") == [] and len(server.hits("/robots.txt")) == 1
    assert server.hits("/news/talks")[0].headers["user-agent"].startswith("Dateline/")
    # Done and released: nothing is pending any more.
    assert services.full_text_job(timezone.now(), policy=FAST) == 0


@pytest.mark.parametrize(
    "robots, expected",
    [(Reply(status=404), FullTextStatus.FETCHED), (Reply(status=503), FullTextStatus.ROBOTS)],
    ids=["no-robots-file-allows", "failing-robots-file-refuses"],
)
def test_missing_robots_allows_and_failing_robots_refuses(server, robots, expected):
    server.route("/robots.txt", robots)
    server.route("/a", Reply(body=ARTICLE, headers=HTML))
    follow_with_full_text(server, [Item("a", "A", server.url("/a"))])
    services.full_text_job(timezone.now(), policy=FAST)
    assert Article.objects.get().full_text_status == expected


def test_feeds_without_the_flag_fetch_nothing(server):
    url = server.route("/rss", Reply(body=rss([Item("a", "A", server.url("/a"))])))
    feed = services.add_feed(url=url, outlet_name="O")
    services.poll_feed(feed, policy=FAST)
    assert Article.objects.get().full_text_status == FullTextStatus.NOT_WANTED
    assert services.full_text_job(timezone.now(), policy=FAST) == 0
    assert server.hits("/a") == [] and server.hits("/robots.txt") == []
