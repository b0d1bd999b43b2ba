"""Polling against a real HTTP server on loopback, storing in a real database (no mocks)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.core import jobs
from dateline.core.safehttp import FetchPolicy
from dateline.wire import services
from dateline.wire.models import Article, Feed, Sighting
from dateline.wire.pipeline import decide
from dateline.wire.pipeline.fetch import Request, fetch_all
from dateline.wire.tests.feedfactory import Item, items, rss
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db

FAST = FetchPolicy(allow_loopback=True, connect_timeout=2, read_timeout=1, total_timeout=2,
                   max_bytes=200_000)  # fmt: skip


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def follow(url: str, name: str = "Outlet") -> Feed:
    return services.add_feed(url=url, outlet_name=name)


def poll(feed: Feed):
    feed.refresh_from_db()
    return services.poll_feed(feed, policy=FAST)


def test_first_poll_stores_entries_then_304_stores_nothing(server):
    url = server.route(
        "/rss",
        Reply(
            body=rss(items(3)),
            etag='"v1"',
            headers={"Last-Modified": "Mon, 16 Feb 2026 09:00:00 GMT"},
        ),
    )
    feed = follow(url)
    first = poll(feed)
    assert (first.status, first.new) == (200, 3)
    feed.refresh_from_db()
    assert feed.etag == '"v1"' and feed.last_modified == "Mon, 16 Feb 2026 09:00:00 GMT"
    assert feed.title == "Test outlet" and feed.last_success_at is not None
    assert feed.next_poll_at > timezone.now()

    second = poll(feed)
    assert (second.status, second.new) == (304, 0)
    assert server.hits("/rss")[1].headers["if-none-match"] == '"v1"'
    assert Article.objects.count() == 3 and Sighting.objects.count() == 3


def test_same_bytes_without_validators_are_not_stored_again(server):
    url = server.route("/rss", Reply(body=rss(items(2))))
    feed = follow(url)
    assert poll(feed).new == 2
    again = poll(feed)
    assert (again.status, again.new, again.error) == (200, 0, "")
    assert Article.objects.count() == 2


def test_updated_entry_updates_the_article_and_keeps_its_earlier_title(server):
    versions = iter([
        [Item("a", "Five dead in blast", "https://news.example/a")],
        [Item("a", "Twelve dead in blast", "https://news.example/a")],
        [Item("a", "Twelve dead in blast, 40 hurt", "https://news.example/a", summary="More.")],
    ])  # fmt: skip
    url = server.route("/rss", lambda seen: Reply(body=rss(next(versions))))
    feed = follow(url)
    assert poll(feed).new == 1
    assert poll(feed).changed == 1
    assert poll(feed).changed == 1
    article = Article.objects.get()
    assert article.title == "Twelve dead in blast, 40 hurt" and article.summary == "More."
    assert article.earlier_titles == ["Five dead in blast", "Twelve dead in blast"]
    assert article.changed_at is not None


def test_a_feed_longer_than_one_lookup_is_matched_whole(server):
    # More entries than the decide stage looks up per query: the ones past the first lookup are
    # matched too.
    count = decide._LOOKUP_CHUNK + 30
    first = items(count)
    second = [*first[:-1], Item(first[-1].guid, "Corrected title", first[-1].link), *items(
        1, prefix="late")]  # fmt: skip
    versions = iter([first, second])
    url = server.route("/long", lambda seen: Reply(body=rss(next(versions))))
    feed = follow(url)
    roomy = FetchPolicy(allow_loopback=True, total_timeout=30, read_timeout=30)
    assert services.poll_feed(feed, policy=roomy).new == count
    feed.refresh_from_db()
    again = services.poll_feed(feed, policy=roomy)
    assert (again.new, again.changed) == (1, 1)
    assert Article.objects.count() == count + 1 and Sighting.objects.count() == count + 1
    corrected = Article.objects.get(title="Corrected title")
    assert corrected.earlier_titles == [first[-1].title]


def test_article_in_two_feeds_is_stored_once_and_seen_by_both(server):
    shared = Item("bbc-1", "Talks resume", "https://news.example/world/talks?utm_source=rss")
    url_a = server.route("/a", Reply(body=rss([shared, *items(1, prefix="only-a")])))
    same = Item("other-guid-9", "Talks resume", "http://NEWS.example/world/talks/#top")
    url_b = server.route("/b", Reply(body=rss([same, *items(1, prefix="only-b")])))
    feed_a, feed_b = follow(url_a, "A"), follow(url_b, "B")
    assert poll(feed_a).new == 2
    outcome = poll(feed_b)
    assert (outcome.new, outcome.seen) == (1, 1)
    talks = Article.objects.get(canonical_url="https://news.example/world/talks")
    assert set(talks.sightings.values_list("feed__url", flat=True)) == {url_a, url_b}
    assert Article.objects.count() == 3 and Sighting.objects.count() == 4


def test_entries_without_guid_are_kept_apart_by_link_and_by_content(server):
    entries = [
        Item(None, "Linked", "https://news.example/linked"),
        Item(None, "No link one", None, summary="first"),
        Item(None, "No link two", None, summary="second"),
    ]
    url = server.route("/rss", Reply(body=rss(entries)))
    feed = follow(url)
    assert poll(feed).new == 3
    keys = sorted(Sighting.objects.values_list("key", flat=True))
    assert keys[0].startswith("hash:") and keys[1].startswith("hash:")
    assert keys[2] == "link:https://news.example/linked"


HTML_TITLES = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Ben &amp;amp; Jerry&#8217;s &lt;b&gt;news&lt;/b&gt;</title><id>urn:t</id>
  <entry><id>urn:e1</id><title type="html"><![CDATA[AT&T buys Time Warner &#8211; report]]></title>
    <link href="https://news.example/att"/><updated>2026-02-16T09:00:00Z</updated></entry>
  <entry><id>urn:e2</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Vote
    <em>today</em><br/>or not</div></title>
    <link href="https://news.example/vote"/><updated>2026-02-16T08:00:00Z</updated></entry>
</feed>"""


def test_html_titles_are_stored_as_text(server):
    # WordPress writes Atom titles as HTML: stored as it came, the desk, the blog's citations
    # and the clusterer showed "AT&amp;T buys Time Warner &#8211; report".
    feed = follow(server.route("/atom", Reply(body=HTML_TITLES)))
    assert poll(feed).new == 2
    titles = set(Article.objects.values_list("title", flat=True))
    assert titles == {"AT&T buys Time Warner \u2013 report", "Vote today or not"}
    feed.refresh_from_db()
    assert feed.title == "Ben & Jerry\u2019s news"


def test_301_updates_the_stored_url(server):
    new_url = server.route("/new", Reply(body=rss(items(1))))
    feed = follow(server.route("/old", Reply(status=301, headers={"Location": "/new"})))
    assert poll(feed).new == 1
    feed.refresh_from_db()
    assert feed.url == new_url


def test_a_move_to_a_url_longer_than_the_column_is_not_followed(server):
    far = "/new/" + "x" * 2100
    server.route(far, Reply(body=rss(items(1))))
    feed = follow(server.route("/old", Reply(status=301, headers={"Location": far})))
    outcome = poll(feed)
    feed.refresh_from_db()
    assert (outcome.new, outcome.error) == (1, "")
    assert feed.url == server.url("/old") and feed.active


def test_410_stops_the_feed(server):
    feed = follow(server.route("/gone", Reply(status=410)))
    poll(feed)
    feed.refresh_from_db()
    assert not feed.active and "410" in feed.stopped_reason
    assert not Feed.objects.due(timezone.now() + timedelta(days=30)).exists()


def test_429_retry_after_is_honoured_and_counted_as_an_error(server):
    feed = follow(server.route("/busy", Reply(status=429, headers={"Retry-After": "7200"})))
    before = timezone.now()
    poll(feed)
    feed.refresh_from_db()
    assert feed.error_count == 1 and feed.last_status == 429
    assert feed.next_poll_at >= before + timedelta(seconds=7200)


def test_a_feed_asking_to_be_cached_for_ever_is_still_stored(server):
    # A max-age past the last date Python can hold made storing the answer raise: the entries
    # were lost and the feed was polled again as soon as its claim ran out.
    forever = {"Cache-Control": "max-age=99999999999999"}
    feed = follow(server.route("/forever", Reply(body=rss(items(2)), headers=forever)))
    before = timezone.now()
    outcome = poll(feed)
    feed.refresh_from_db()
    assert (outcome.new, outcome.error, feed.error_count) == (2, "", 0)
    assert feed.next_poll_at <= before + timedelta(hours=25)


def test_errors_back_off_exponentially_and_recovery_resets_the_count(server):
    state = {"fail": True}
    url = server.route(
        "/flaky",
        lambda seen: Reply(status=500) if state["fail"] else Reply(body=rss(items(1))),
    )
    feed = follow(url)
    waits = []
    for _ in range(3):
        start = timezone.now()
        poll(feed)
        feed.refresh_from_db()
        waits.append(feed.next_poll_at - start)
    assert feed.error_count == 3 and feed.last_error == "HTTP 500"
    assert waits[0] < waits[1] < waits[2]
    state["fail"] = False
    poll(feed)
    feed.refresh_from_db()
    assert feed.error_count == 0 and feed.last_error == "" and feed.last_status == 200


@pytest.mark.parametrize(
    "reply, error",
    [
        (Reply(body=b"<html><head><title>Hi</title></head><body>home</body></html>",
               headers={"Content-Type": "text/html"}), "not a feed"),
        (Reply(body=rss(items(1)), delay=2.5), "timed out"),
        (Reply(body=rss(items(40)), drip=0.01), "no complete answer"),
        (Reply(body=b"x" * 300_000, unsized=True), "exceeds"),
        (Reply(status=302, headers={"Location": "http://10.0.0.7/rss"}), "private"),
        (Reply(status=302, headers={"Location": "/bad"}), "loop"),
    ],
    ids=["html", "timeout", "slow-drip", "oversized", "redirect-to-private", "redirect-loop"],
)  # fmt: skip
def test_bad_answers_are_recorded_not_raised(server, reply, error):
    feed = follow(server.route("/bad", reply))
    outcome = poll(feed)
    assert error in outcome.error
    feed.refresh_from_db()
    assert feed.error_count == 1 and error in feed.last_error
    assert Article.objects.count() == 0


def test_gzip_and_a_wrong_charset_header_are_read(server):
    body = rss([Item("c", "Café in Zürich", "https://news.example/cafe")], encoding="iso-8859-1")
    url = server.route(
        "/rss",
        Reply(body=body, gzip=True, headers={"Content-Type": "application/rss+xml; charset=utf-8"}),
    )
    feed = follow(url)
    assert poll(feed).new == 1
    assert server.hits("/rss")[0].headers["accept-encoding"].startswith("gzip")
    assert Article.objects.get().title == "Café in Zürich"


def test_one_slow_feed_does_not_delay_the_others(server):
    slow = follow(server.route("/slow", Reply(body=rss(items(1)), delay=2.5)), "Slow")
    fast = [follow(server.route(f"/f{n}", Reply(body=rss(items(2, prefix=f"f{n}")))), f"F{n}")
            for n in range(5)]  # fmt: skip
    order = []
    outcomes = services.poll_feeds(
        [slow, *fast], timezone.now(), policy=FAST, progress=lambda o: order.append(o.feed_id)
    )
    assert order[-1] == slow.pk  # everything else was stored while the slow one still hung
    assert sum(o.new for o in outcomes) == 10
    assert Article.objects.count() == 10


def test_due_feeds_are_claimed_polled_and_scheduled(server):
    feeds = [follow(server.route(f"/d{n}", Reply(body=rss(items(1, prefix=f"d{n}")))), f"D{n}")
             for n in range(3)]  # fmt: skip
    now = timezone.now()
    assert len(services.poll_due_feeds(now, policy=FAST)) == 3
    assert services.poll_due_feeds(now, policy=FAST) == []  # rescheduled, not due again yet
    for feed in feeds:
        feed.refresh_from_db()
        assert feed.claimed_until is None and feed.next_poll_at > now


def test_health_shows_failing_feeds_first(server):
    good = follow(server.route("/good", Reply(body=rss(items(3)))), "Good")
    bad = follow(server.route("/bad", Reply(status=503)), "Bad")
    poll(good)
    poll(bad)
    health = services.feed_health()
    assert [h.feed_id for h in health] == [bad.pk, good.pk]
    assert health[0].last_status == 503 and health[0].error_count == 1
    assert health[1].last_status == 200 and health[1].next_poll_at is not None
    assert health[1].entries_per_day is not None


def test_a_document_the_parser_reads_as_empty_shows_why_and_is_read_again(server):
    # Its one item stands after the end of the document: not well-formed, and no entry recovered.
    broken = (
        b'<rss version="2.0"><channel><title>T</title></channel></rss><item><title>A</title></item>'
    )
    feed = follow(server.route("/odd", Reply(body=broken)))
    outcome = poll(feed)
    feed.refresh_from_db()
    assert (outcome.status, outcome.new) == (200, 0)
    assert feed.last_error.startswith("no entries could be read: not well-formed XML")
    # No body hash kept: the same bytes are parsed again (a fixed parser would then read them).
    assert feed.body_hash == ""
    assert poll(feed).new == 0 and len(server.hits("/odd")) == 2


def test_an_empty_feed_that_only_lost_a_hostile_link_is_no_error(server):
    # Well-formed, no items yet, and a javascript: link the parser dropped with a warning:
    # nothing failed, so no error is shown and the same bytes are not parsed again.
    empty = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<link>javascript:alert(1)</link></channel></rss>"
    )
    feed = follow(server.route("/empty", Reply(body=empty)))
    outcome = poll(feed)
    feed.refresh_from_db()
    assert (outcome.status, outcome.new) == (200, 0)
    assert feed.last_error == ""
    assert feed.body_hash != ""


def test_unchanged_feeds_are_written_together_not_one_by_one(server):
    feeds = [
        follow(server.route(f"/same/{n}", Reply(body=rss(items(1, prefix=f"s{n}")), etag=f'"{n}"')))
        for n in range(30)
    ]
    services.poll_feeds(feeds, timezone.now(), policy=FAST)
    for feed in feeds:
        feed.refresh_from_db()
    later = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        outcomes = services.poll_feeds(feeds, later, policy=FAST)
    assert [o.status for o in outcomes] == [304] * 30
    assert len(queries) < 10  # one batched write, not a transaction per feed
    for feed in Feed.objects.all():
        assert feed.last_status == 304 and feed.last_fetched_at == later
        assert feed.claimed_until is None and feed.next_poll_at > later and feed.error_count == 0


def test_a_consumer_that_stops_early_abandons_the_fetches_in_flight(server):
    slow = FetchPolicy(allow_loopback=True, total_timeout=30, read_timeout=30)
    server.route("/quick", Reply(body=b"ok"))
    server.route("/hangs", Reply(body=b"late", delay=20))  # longer than fetch_all waits
    requests = [Request(0, server.url("/quick"))] + [
        Request(n, server.url("/hangs")) for n in range(1, 4)
    ]
    answers = fetch_all(requests, policy=slow)
    first = next(answers)
    assert first.request.key == 0
    answers.close()  # the consumer leaves while three fetches still wait on the server
    # The fetch thread ended with the generator, long before the server would have answered.
    assert not any(t.name == "dateline-fetch" and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize("status", [203, 226])
def test_a_2xx_that_carries_the_feed_is_read_like_a_200(server, status):
    # A proxy that rewrites the answer says 203 (Non-Authoritative Information); its body is the
    # feed all the same. Read as an empty body, its entries were never stored.
    feed = follow(server.route("/proxied", Reply(status=status, body=rss(items(2)), etag='"p"')))
    outcome = poll(feed)
    feed.refresh_from_db()
    assert (outcome.status, outcome.new, outcome.error) == (status, 2, "")
    assert feed.etag == '"p"' and feed.error_count == 0
    assert Article.objects.count() == 2


@pytest.mark.parametrize("status", [204, 205])
def test_a_2xx_without_a_body_is_an_error_that_keeps_what_the_feed_had(server, status):
    answers = iter([Reply(body=rss(items(3)), etag='"v1"'), Reply(status=status)])
    url = server.route("/empty", lambda seen: next(answers))
    feed = follow(url)
    assert poll(feed).new == 3
    feed.refresh_from_db()
    before = (feed.etag, feed.body_hash, feed.entries_per_day)
    outcome = poll(feed)
    feed.refresh_from_db()
    assert outcome.status == status and f"HTTP {status}" in outcome.error
    assert feed.error_count == 1 and f"HTTP {status}" in feed.last_error
    # Nothing learnt from the first answer is lost: validators, body hash, the feed's rate.
    assert (feed.etag, feed.body_hash, feed.entries_per_day) == before
    assert Article.objects.count() == 3


def test_validators_go_only_to_the_address_that_gave_them(server):
    # The feed answered with an ETag, then moved to another host with a temporary redirect: its
    # ETag is the first host's, and sending it on told the other host what this reader holds.
    with LoopbackServer() as elsewhere:
        other = elsewhere.route("/moved", Reply(body=rss(items(1, prefix="m"))))
        answers = iter([
            Reply(body=rss(items(1)), etag='"v1"',
                  headers={"Last-Modified": "Mon, 16 Feb 2026 09:00:00 GMT"}),
            Reply(status=302, headers={"Location": other}),
        ])  # fmt: skip
        feed = follow(server.route("/rss", lambda seen: next(answers)))
        assert poll(feed).new == 1
        assert poll(feed).new == 1
        (hop,) = elsewhere.hits("/moved")
    assert server.hits("/rss")[1].headers["if-none-match"] == '"v1"'
    assert "if-none-match" not in hop.headers and "if-modified-since" not in hop.headers


def test_a_feed_behind_a_temporary_redirect_keeps_its_304(server):
    # The validators came from where the redirect led: they are sent there, not to the first hop.
    target = server.route("/current", Reply(body=rss(items(2)), etag='"c1"'))
    feed = follow(server.route("/latest", Reply(status=302, headers={"Location": target})))
    assert poll(feed).new == 2
    again = poll(feed)
    assert (again.status, again.error) == (304, "")
    assert server.hits("/current")[1].headers["if-none-match"] == '"c1"'
    assert "if-none-match" not in server.hits("/latest")[1].headers


def test_a_feed_that_makes_up_new_guids_each_poll_adds_no_rows(server):
    # Some feeds write a fresh GUID on every request. Matched by link, the entries were not
    # stored twice, but each poll added a sighting per entry: 50 entries every 15 minutes is
    # 4,800 rows a day, kept as long as the articles are.
    polls = iter(range(1, 100))

    def fresh_guids(seen):
        n = next(polls)
        return Reply(body=rss([Item(f"{n}-a", "Talks", "https://n.example/talks"),
                               Item(f"{n}-b", "Vote", "https://n.example/vote")]))  # fmt: skip

    feed = follow(server.route("/fresh", fresh_guids))
    assert poll(feed).new == 2
    for _ in range(3):
        again = poll(feed)
        assert (again.new, again.changed, again.error) == (0, 0, "")
    assert Article.objects.count() == 2 and Sighting.objects.count() == 2


def test_the_poll_job_is_registered_stoppable_and_only_once():
    (poll,) = [job for job in jobs.registered() if job.name == "wire.poll"]
    assert poll.stoppable is services.poll_job
    jobs.register_stoppable("wire.poll", services.poll_job, help=poll.help)  # ready() again
    (again,) = [job for job in jobs.registered() if job.name == "wire.poll"]
    assert again.stoppable is services.poll_job
    with pytest.raises(ValueError, match="already registered"):
        jobs.register("wire.poll", lambda now: 0, help="")
