"""OPML in and out, and feed discovery on HTML pages (pure, no Django)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dateline.wire.domain.discover import discover_feeds
from dateline.wire.domain.opml import (
    MAX_BYTES,
    OpmlError,
    Subscription,
    parse_opml,
    read_opml,
    write_opml,
)

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="World">
    <outline text="Middle East">
      <outline type="rss" text="Rudaw" xmlUrl="https://www.rudaw.net/rss" htmlUrl="https://www.rudaw.net/"/>
    </outline>
    <outline type="rss" text="BBC World" title="BBC News - World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"
             category="/Public broadcasters,Europe"/>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="https://example.org/feed"/>
  <outline type="rss" text="Loose again" xmlUrl="https://example.org/feed"/>
</body></opml>"""


def test_folders_and_categories_become_labels():
    subs = read_opml(OPML)
    assert [s.feed_url for s in subs] == [
        "https://www.rudaw.net/rss",
        "https://feeds.bbci.co.uk/news/world/rss.xml",
        "https://example.org/feed",
    ]
    assert (
        subs[0].labels == ("World", "Middle East") and subs[0].home_url == "https://www.rudaw.net/"
    )
    assert subs[1].title == "BBC News - World"
    assert subs[1].labels == ("World", "Public broadcasters", "Europe")
    assert subs[2].labels == () and subs[2].title == "Loose"


def test_written_opml_reads_back_the_same():
    subs = [
        Subscription("https://a.example/rss", "A & Co", "https://a.example/", ("World", "Africa")),
        Subscription("https://b.example/atom", "B", "", ()),
    ]
    data = write_opml(subs, title="Dateline", now=datetime(2026, 2, 16, tzinfo=UTC))
    back = read_opml(data)
    assert [(s.feed_url, s.title, s.home_url) for s in back] == [
        (s.feed_url, s.title, s.home_url) for s in subs
    ]
    assert back[0].labels == ("World", "Africa")


def test_labels_holding_a_comma_or_a_slash_read_back_whole():
    # `category` is a comma-separated list of slash paths: written there, "Arts, Culture" came
    # back as two labels and "AC/DC" as "DC".
    labels = ("News/Politics", "Arts, Culture", "Europe", "AC/DC", "Asia, East/South")
    subs = [Subscription("https://a.example/rss", "A", "", labels)]
    data = write_opml(subs, title="Dateline", now=datetime(2026, 2, 16, tzinfo=UTC))
    (back,) = read_opml(data)
    assert back.labels[0] == "News/Politics"  # the folder it is filed under comes first
    assert sorted(back.labels) == sorted(labels) and back.title == "A"


def test_a_feed_filed_in_two_folders_keeps_both_labels():
    # Readers that allow a feed in several folders (Inoreader, Feedbin) export it once per folder.
    data = b"""<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="Tech"><outline type="rss" text="Ars" xmlUrl="https://ars.example/rss"
        htmlUrl="https://ars.example/"/></outline>
      <outline text="Science"><outline type="rss" text="Ars again" xmlUrl="https://ars.example/rss"
        category="Space"/></outline>
    </body></opml>"""
    (sub,) = read_opml(data)
    assert sub.labels == ("Tech", "Science", "Space")
    assert (sub.title, sub.home_url) == ("Ars", "https://ars.example/")


def test_written_opml_is_well_formed_whatever_the_feeds_titles_hold():
    # A JSON Feed may title itself with a control character; XML cannot carry one at all.
    subs = [Subscription("https://a.example/feed.json", "Bad\x0bTitle\x00", "", ("a\x1fb", "\x01"))]
    back = read_opml(write_opml(subs, title="Mine\x08", now=datetime(2026, 2, 16, tzinfo=UTC)))
    assert [(s.feed_url, s.title, s.labels) for s in back] == [
        ("https://a.example/feed.json", "BadTitle", ("ab",))
    ]


def test_only_web_addresses_are_followed_and_the_rest_are_counted():
    # A shared subscription list is someone else's file: a javascript: or file: "feed" would
    # be stored, listed and polled for ever, and a URL longer than the column failed the whole
    # import on PostgreSQL.
    long_url = "https://x.example/" + "a" * 2000
    outlines = [
        ("javascript:alert(1)", ""), ("file:///etc/passwd", ""), ("/feeds/rss.xml", ""),
        (long_url, ""), ("feed://old.example/rss", "javascript:alert(2)"),
        ("feed:https://new.example/atom", "https://new.example/"),
    ]  # fmt: skip
    body = "".join(f'<outline text="t" xmlUrl="{url}" htmlUrl="{home}"/>' for url, home in outlines)
    opml = parse_opml(f'<opml version="2.0"><body>{body}</body></opml>'.encode())
    assert [(s.feed_url, s.home_url) for s in opml.subscriptions] == [
        ("http://old.example/rss", ""),
        ("https://new.example/atom", "https://new.example/"),
    ]
    assert opml.skipped == ("javascript:alert(1)", "file:///etc/passwd", "/feeds/rss.xml", long_url)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://x.example/"/></body></opml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://x.example/"/></body></opml>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_doctype_and_entities_are_refused(data):
    with pytest.raises(OpmlError, match="DOCTYPE"):
        read_opml(data)


def test_oversized_and_broken_files_are_refused():
    with pytest.raises(OpmlError, match="bytes"):
        read_opml(b" " * (MAX_BYTES + 1))
    with pytest.raises(OpmlError, match="well-formed"):
        read_opml(b"<opml><body><outline></body>")


def test_too_deep_nesting_is_refused():
    deep = b"<opml><body>" + b"<outline text='x'>" * 30 + b"</outline>" * 30 + b"</body></opml>"
    with pytest.raises(OpmlError, match="levels"):
        read_opml(deep)


PAGE = """<!doctype html><html><head><title>Site</title>
<base href="https://www.example.org/news/">
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="Top stories" href="rss.xml">
<link rel="alternate" type="application/atom+xml" href="https://www.example.org/atom">
<link rel="alternate" type="application/json+oembed" href="/oembed">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="rss.xml">
</head><body><p>unclosed <b>tags"""


def test_discovery_finds_feed_links_resolved_against_the_base():
    found = discover_feeds(PAGE, "https://example.org/")
    assert [(f.url, f.kind, f.title) for f in found] == [
        ("https://www.example.org/news/rss.xml", "rss", "Top stories"),
        ("https://www.example.org/atom", "atom", ""),
    ]


def test_page_without_feed_links_finds_nothing():
    assert discover_feeds("<html><body>no feeds</body></html>", "https://example.org/") == []
