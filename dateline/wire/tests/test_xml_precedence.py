"""Which element wins when two say the same thing: each field's rule, whatever the order.

The format's own element wins over an alias from another vocabulary wherever each stands (the
last of its own, else the first alias); list fields keep document order.
"""

from __future__ import annotations

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.records import HTML, Entry, ParsedFeed

_RSS = (
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Harbour Gazette</title>'
    "<link>https://gazette.example/</link>{channel}<item>{item}</item></channel></rss>"
)


def _parse(item: str = "", channel: str = "") -> ParsedFeed:
    return parse_feed(_RSS.format(item=item, channel=channel).encode())


def _entry(item: str) -> Entry:
    return _parse(item).entries[0]


def _title(entry: Entry) -> str | None:
    return entry.title.value if entry.title else None


def test_a_title_beats_a_dublin_core_title_written_before_or_after_it() -> None:
    assert _title(_entry("<dc:title>Alias</dc:title><title>Own</title>")) == "Own"
    assert _title(_entry("<title>Own</title><dc:title>Alias</dc:title>")) == "Own"


def test_of_several_titles_the_last_counts_and_of_aliases_alone_the_first() -> None:
    assert _title(_entry("<title>One</title><title>Two</title>")) == "Two"
    assert _title(_entry("<dc:title>One</dc:title><dc:title>Two</dc:title>")) == "One"


def test_a_media_title_stands_in_only_for_a_missing_title() -> None:
    assert _title(_entry("<media:title>Clip</media:title><link>https://g.example/1</link>")) == (
        "Clip"
    )
    assert _title(_entry("<media:title>Clip</media:title><title>Own</title>")) == "Own"


def test_a_guid_beats_a_dublin_core_identifier_and_a_permalink_guid_is_the_link() -> None:
    entry = _entry("<dc:identifier>urn:x</dc:identifier><guid>https://g.example/a</guid>")
    assert (entry.id, entry.link, entry.link_from_id) == (
        "https://g.example/a",
        "https://g.example/a",
        True,
    )
    entry = _entry('<guid isPermaLink="false">https://g.example/b</guid>')
    assert (entry.id, entry.link) == ("https://g.example/b", None)


def test_dates_prefer_the_formats_own_element_to_dublin_core() -> None:
    entry = _entry(
        "<dc:date>2026-01-02T00:00:00Z</dc:date><pubDate>Sat, 03 Jan 2026 00:00:00 GMT</pubDate>"
    )
    assert entry.published is not None and entry.published.day == 3
    assert entry.updated is not None and entry.updated.day == 2


def test_an_rss_item_with_two_kinds_of_summary_has_the_second_as_content_in_order() -> None:
    entry = _entry(
        "<description>Short</description><content:encoded xmlns:content="
        '"http://purl.org/rss/1.0/modules/content/">&lt;p&gt;Long&lt;/p&gt;</content:encoded>'
        "<summary>Other</summary>"
    )
    assert entry.summary is not None and entry.summary.value == "Short"
    assert [value.value for value in entry.content] == ["<p>Long</p>", "Other"]
    assert entry.content[0].type == HTML


def test_authors_keep_document_order_across_vocabularies_and_the_webmaster_is_the_publisher() -> (
    None
):
    feed = _parse(
        item="<dc:creator>Ada</dc:creator><author>bo@g.example (Bo)</author>",
        channel="<webMaster>desk@g.example (Desk)</webMaster>",
    )
    assert [person.name for person in feed.entries[0].authors] == ["Ada", "Bo"]
    assert feed.feed.publisher is not None and feed.feed.publisher.email == "desk@g.example"


def test_a_channel_description_is_the_subtitle_and_itunes_only_fills_what_is_missing() -> None:
    feed = _parse(channel="<itunes:subtitle>Pod</itunes:subtitle><description>Own</description>")
    assert feed.feed.subtitle is not None and feed.feed.subtitle.value == "Own"
    feed = _parse(channel="<itunes:summary>Pod summary</itunes:summary>")
    assert feed.feed.subtitle is not None and feed.feed.subtitle.value == "Pod summary"
    assert feed.feed.itunes is not None and feed.feed.itunes.summary == "Pod summary"
