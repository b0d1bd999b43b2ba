"""The URL rule (domain/url_schemes.py): which schemes a parsed feed's URL fields may carry.

The rule is tested alone, then through both parsers: a feed that writes a hostile URL in every
URL field it has gives records in which no URL field holds one, and a warning says what went.
"""

from __future__ import annotations

import html
import json
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain import url_schemes
from dateline.wire.domain.records import ParsedFeed
from dateline.wire.tests import golden

HOSTILE = ("javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>")


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://example.org/a", "https"),
        ("HTTP://example.org/", "http"),
        ("javascript:alert(1)", "javascript"),
        ("JaVaScRiPt:alert(1)", "javascript"),
        # What browsers ignore before and inside a scheme (WHATWG URL): still javascript.
        (" \x01\x1f javascript:alert(1)", "javascript"),
        ("java\tscript:alert(1)", "javascript"),
        ("java\nscr\ript:alert(1)", "javascript"),
        ("data:image/png;base64,AAAA", "data"),
        ("mailto:desk@example.org", "mailto"),
        ("feed://example.org/rss", "feed"),
        # Relative references: no scheme.
        ("/world/2026/12/ferry", ""),
        ("story.html?at=10:30", ""),
        ("a/b:c", ""),
        ("1http:x", ""),
        ("", ""),
    ],
)
def test_the_scheme_is_read_as_a_browser_reads_it(url: str, scheme: str) -> None:
    assert url_schemes.scheme_of(url) == scheme


def test_links_keep_web_urls_and_relative_ones_only() -> None:
    for url in ("https://example.org/", "http://example.org/", "/relative", "page.html"):
        assert url_schemes.is_allowed(url, url_schemes.WEB)
    for url in (*HOSTILE, "java\tscript:x", "mailto:a@example.org", "ftp://example.org/f"):
        assert not url_schemes.is_allowed(url, url_schemes.WEB), url


def test_people_may_also_have_a_mail_address() -> None:
    assert url_schemes.is_allowed("mailto:desk@example.org", url_schemes.PERSON)
    for url in HOSTILE:
        assert not url_schemes.is_allowed(url, url_schemes.PERSON), url


def test_the_warning_names_the_scheme_the_place_and_what_is_kept() -> None:
    warning = url_schemes.dropped_warning("java\tscript:x", "<comments>")
    assert warning == (
        "a javascript: URL in <comments> was dropped: only http and https URLs are kept there"
    )
    assert "http, https and mailto" in url_schemes.dropped_warning(
        "data:,", "x", url_schemes.PERSON
    )


# ------------------------------------------------------------------- through the parsers

# Every record field that holds a URL, by name, and the schemes it may hold.
_URL_FIELDS = {
    "url": url_schemes.WEB,
    "href": url_schemes.WEB,
    "link": url_schemes.WEB,
    "src": url_schemes.WEB,
    "icon": url_schemes.WEB,
    "logo": url_schemes.WEB,
    "image": url_schemes.WEB,
    "docs": url_schemes.WEB,
    "comments": url_schemes.WEB,
    "comments_feed": url_schemes.WEB,
    "comment_api": url_schemes.WEB,
    "license": url_schemes.WEB,
    "new_location": url_schemes.WEB,
    "player": url_schemes.WEB,
    "source": url_schemes.WEB,  # InReplyTo.source, a feed's address
    "uri": url_schemes.PERSON,
}


def _url_values(record: object, path: str = "") -> list[tuple[str, str, frozenset[str]]]:
    """Every (path, value, allowed schemes) of a URL field anywhere in a parsed feed."""
    found = []
    if is_dataclass(record) and not isinstance(record, type):
        for field in fields(record):
            value = getattr(record, field.name)
            where = f"{path}.{field.name}"
            if isinstance(value, str) and field.name in _URL_FIELDS:
                found.append((where, value, _URL_FIELDS[field.name]))
            else:
                found.extend(_url_values(value, where))
    elif isinstance(record, tuple):
        for index, item in enumerate(record):
            found.extend(_url_values(item, f"{path}[{index}]"))
    return found


def _unsafe_urls(parsed: ParsedFeed) -> list[str]:
    return [
        f"{where} = {value!r}"
        for where, value, schemes in _url_values(parsed)
        if not url_schemes.is_allowed(value, schemes)
    ]


def _every_url_field_rss(url: str) -> bytes:
    """An RSS 2.0 feed with ``url`` in each URL field RSS and its extensions have."""
    url = html.escape(url)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:cc="http://web.resource.org/cc/"
  xmlns:psc="http://podlove.org/simple-chapters" xmlns:thr="http://purl.org/syndication/thread/1.0">
<channel>
  <title>T</title><link>{url}</link><docs>{url}</docs>
  <atom:link rel="self" href="{url}"/><atom:icon>{url}</atom:icon><atom:logo>{url}</atom:logo>
  <image><url>{url}</url><title>T</title><link>{url}</link></image>
  <textInput><title>S</title><name>q</name><link>{url}</link></textInput>
  <generator uri="{url}">G</generator><itunes:image href="{url}"/>
  <itunes:new-feed-url>{url}</itunes:new-feed-url>
  <atom:author><atom:name>A</atom:name><atom:uri>{url}</atom:uri></atom:author>
  <item>
    <title>I</title><link>{url}</link><guid isPermaLink="false">g1</guid>
    <comments>{url}</comments><wfw:commentRss>{url}</wfw:commentRss><wfw:comment>{url}</wfw:comment>
    <enclosure url="{url}" type="audio/mpeg" length="1"/>
    <media:content url="{url}"/><media:thumbnail url="{url}"/>
    <media:player url="{url}"/><media:license href="{url}">L</media:license>
    <cc:license>{url}</cc:license><itunes:image href="{url}"/>
    <source url="{url}">S</source>
    <thr:in-reply-to ref="r" href="{url}" source="{url}"/>
    <psc:chapters version="1.2"><psc:chapter start="0" href="{url}" image="{url}"/></psc:chapters>
    <atom:link rel="related" href="{url}"/>
  </item>
</channel></rss>""".encode()


def _every_url_field_atom(url: str) -> bytes:
    """An Atom feed with ``url`` in each URL field Atom has."""
    url = html.escape(url)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>T</title><id>tag:x,2026:f</id><updated>2026-12-07T00:00:00Z</updated>
  <link href="{url}"/><icon>{url}</icon><logo>{url}</logo><generator uri="{url}">G</generator>
  <author><name>A</name><uri>{url}</uri></author>
  <contributor><name>C</name><uri>{url}</uri></contributor>
  <entry>
    <title>E</title><id>tag:x,2026:e</id><updated>2026-12-07T00:00:00Z</updated>
    <link href="{url}"/><link rel="enclosure" href="{url}"/><link rel="license" href="{url}"/>
    <author><name>A</name><uri>{url}</uri></author>
    <content type="text/html" src="{url}"/>
    <source><id>tag:y,2026:f</id><link rel="self" href="{url}"/><icon>{url}</icon></source>
  </entry>
</feed>""".encode()


def _every_url_field_json(url: str) -> bytes:
    author = {"name": "A", "url": url}
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "T",
            "home_page_url": url,
            "feed_url": url,
            "icon": url,
            "favicon": url,
            "authors": [author],
            "items": [
                {
                    "id": "1",
                    "url": url,
                    "external_url": url,
                    "content_text": "x",
                    "authors": [author],
                    "attachments": [{"url": url, "mime_type": "audio/mpeg"}],
                }
            ],
        }
    ).encode()


_FEEDS = {"rss": _every_url_field_rss, "atom": _every_url_field_atom, "json": _every_url_field_json}
_OBFUSCATED = (*HOSTILE, "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "  javascript:alert(1)")


@pytest.mark.parametrize("url", _OBFUSCATED)
@pytest.mark.parametrize("kind", sorted(_FEEDS))
def test_no_hostile_url_reaches_a_record(kind: str, url: str) -> None:
    parsed = parse_feed(_FEEDS[kind](url), base_url="https://example.org/feed")
    assert not _unsafe_urls(parsed)
    assert any("was dropped" in warning for warning in parsed.warnings)
    # A dropped URL is said, not a reason to call the document broken.
    assert parsed.well_formed


@pytest.mark.parametrize("kind", sorted(_FEEDS))
def test_web_urls_in_the_same_fields_are_kept(kind: str) -> None:
    # The same feeds with a web address: each field keeps it (the rule drops only schemes).
    parsed = parse_feed(_FEEDS[kind]("https://example.org/x"), base_url="https://example.org/")
    values = _url_values(parsed)
    assert len(values) >= 10
    assert {value for _, value, _ in values} <= {"https://example.org/x", "https://example.org/"}
    assert not [warning for warning in parsed.warnings if "dropped" in warning]


def test_an_author_may_be_reached_by_mail() -> None:
    for kind in _FEEDS:
        parsed = parse_feed(_FEEDS[kind]("mailto:desk@example.org"))
        assert parsed.feed.authors[0].uri == "mailto:desk@example.org", kind
        assert parsed.feed.link is None, kind


@pytest.mark.parametrize(
    "name", ["rss20-hostile-urls.xml", "atom10-hostile-urls.xml", "jsonfeed11-hostile-urls.json"]
)
def test_the_golden_hostile_feeds_keep_no_hostile_url(name: str) -> None:
    parsed = golden.parse_golden(Path(golden.GOLDEN, name))
    assert not _unsafe_urls(parsed)
    assert parsed.entries
