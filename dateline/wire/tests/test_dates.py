"""Dates the wire must not believe: placeholders that generators write for "no date"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.dates import parse_date


@pytest.mark.parametrize(
    "text",
    [
        "Mon, 01 Jan 0001 00:00:00 +0000",  # Go's zero time, as Hugo writes it for undated pages
        "0001-01-01T00:00:00Z",
        "Thu, 01 Jan 1970 00:00:00 GMT",  # Unix's zero
        "1900-01-01",
    ],
)
def test_a_placeholder_date_is_unknown(text: str) -> None:
    assert parse_date(text) is None


def test_dates_of_the_web_are_kept() -> None:
    assert parse_date("Tue, 10 Jun 2003 04:00:00 GMT") == datetime(2003, 6, 10, 4, tzinfo=UTC)
    assert parse_date("1990-01-01T00:00:00Z") == datetime(1990, 1, 1, tzinfo=UTC)


def test_an_entry_with_a_zero_date_is_undated_and_keeps_what_it_said() -> None:
    feed = parse_feed(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Notes</title>'
        b"<link>https://notes.example/</link><item><title>About</title>"
        b"<link>https://notes.example/about/</link>"
        b"<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate></item></channel></rss>"
    )
    [entry] = feed.entries
    assert entry.published is None
    assert entry.published_text == "Mon, 01 Jan 0001 00:00:00 +0000"
