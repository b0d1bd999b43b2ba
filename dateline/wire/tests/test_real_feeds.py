"""The 200 real feeds of the benchmark corpus and the 14 integration feeds, parsed for real.

The integration feeds come with another parser's (fastfeedparser's) expected JSON; the 200 with
the corpus index (../shared/data/feeds/real-news/index.jsonl: entries, title, link as a quick
scout read them). Where those readers legitimately differ from Dateline, the test compares the
behaviour that matters, as each comment below says, never a value tuned to a file.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.dates import EARLIEST_FEED_DATE
from dateline.wire.domain.records import Entry, ParsedFeed, TextValue
from dateline.wire.tests.shared_data import require, shared_data

REAL_NEWS = "feeds/real-news"
_ITEM_START = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:item|entry)[\s>]")


@cache
def index() -> list[dict[str, Any]]:
    path = shared_data() / REAL_NEWS / "index.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _ids(rows: list[dict[str, Any]]) -> list[str]:
    return [Path(row["path"]).name for row in rows]


BENCHMARK = [row for row in index() if row["category"] != "integration-test"]
INTEGRATION = [row for row in index() if row["category"] == "integration-test"]


def _absolute(url: str | None) -> bool:
    return url is not None and url.startswith(("http://", "https://"))


def _plain(text: str | TextValue | None) -> str:
    if isinstance(text, TextValue):
        text = text.value
    return " ".join((text or "").split())


def _placeholder(raw: str) -> bool:
    """A date whose year (its first four-digit number, before any "+0000") is before any feed
    was written."""
    year = re.search(r"(?<!\d)\d{4}(?!\d)", raw)
    return year is not None and int(year.group()) < EARLIEST_FEED_DATE.year


def _check_entries_are_valid(parsed: ParsedFeed) -> None:
    base_known = _absolute(parsed.feed.link)
    for entry in parsed.entries:
        assert entry.id, "every entry has a stable id"
        assert entry.title or entry.link or entry.summary, "an entry says something"
        if entry.link is not None and base_known:
            # Relative links stay relative only when the feed gives nothing to resolve against.
            assert _absolute(entry.link), entry.link
        for raw, moment in ((entry.published_text, entry.published),
                            (entry.updated_text, entry.updated)):  # fmt: skip
            if moment is not None:
                assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
            # Every date these real feeds write is in a form Dateline reads, save the placeholders
            # for "no date" (Go's "Mon, 01 Jan 0001"), which must read as unknown.
            assert raw is None or moment is not None or _placeholder(raw), f"unread date {raw!r}"
            if moment is not None:
                assert moment >= EARLIEST_FEED_DATE


@pytest.mark.parametrize("row", BENCHMARK, ids=_ids(BENCHMARK))
def test_each_real_feed_parses_to_its_entries_title_and_link(row: dict[str, Any]) -> None:
    path = require(f"{REAL_NEWS}/{row['path']}")
    data = path.read_bytes()
    parsed = parse_feed(data)
    _check_entries_are_valid(parsed)
    if row["format"] == "jsonfeed":
        # The scout counted XML <item>/<entry> tags, so it says 0 for JSON: count the items.
        assert len(parsed.entries) == len(json.loads(data)["items"])
    elif row["entries"] == 0 and parsed.entries:
        # The scout read nothing from a broken document (a doubled XML declaration, undeclared
        # prefixes) that Dateline's recovery reads: then every item start tag must be an entry.
        assert not parsed.well_formed
        assert len(parsed.entries) == len(_ITEM_START.findall(data))
    else:
        assert len(parsed.entries) == row["entries"]
    title = _plain(parsed.feed.title)
    expected_title = _plain(row["title"])
    if expected_title:
        if not title:
            # A feed without a title of its own: the scout took the first <title> it met.
            assert parsed.entries and _plain(parsed.entries[0].title) == expected_title
        else:
            # The scout also cut a closing "]" off titles (its CDATA handling).
            assert title.rstrip("]") == expected_title.rstrip("]")
    if row["link"]:
        # The scout took the first link it met, which in Atom is often rel="self"; Dateline's
        # feed.link is the site (rel="alternate"). The scout's link must be one of the feed's.
        hrefs = {parsed.feed.link} | {link.href for link in parsed.feed.links}
        assert row["link"] in hrefs or row["link"].rstrip("/") in {
            (href or "").rstrip("/") for href in hrefs
        }


def _value(text: TextValue | None) -> str | None:
    return text.value if text is not None else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _date_of(entry: Entry) -> datetime | None:
    return entry.published or entry.updated


@pytest.mark.parametrize("row", INTEGRATION, ids=_ids(INTEGRATION))
def test_each_integration_feed_matches_its_expected_json(row: dict[str, Any]) -> None:
    path = require(f"{REAL_NEWS}/{row['path']}")
    expected = json.loads((shared_data() / REAL_NEWS / row["expected"]).read_text("utf-8"))
    parsed = parse_feed(path.read_bytes())
    _check_entries_are_valid(parsed)
    assert _value(parsed.feed.title) == expected["feed"].get("title")
    assert parsed.feed.link == expected["feed"].get("link")
    assert len(parsed.entries) == len(expected["entries"])
    for entry, wanted in zip(parsed.entries, expected["entries"], strict=True):
        assert _value(entry.title) == wanted.get("title")
        assert entry.link == wanted.get("link")
        # fastfeedparser copies an Atom entry's <updated> into published, and files RSS 1.0's
        # dc:date as published; Dateline keeps each date where the feed put it (dc:date is a
        # modification date, as in feedparser). What matters is the entry's date: published,
        # else updated, must be the same moment.
        wanted_date = _moment(wanted.get("published")) or _moment(wanted.get("updated"))
        assert _date_of(entry) == wanted_date
        if wanted.get("published") and entry.published is not None:
            assert entry.published == _moment(wanted["published"])
        if wanted.get("updated") and entry.updated is not None:
            assert entry.updated == _moment(wanted["updated"])


def test_the_corpus_is_all_there_when_present() -> None:
    require(f"{REAL_NEWS}/index.jsonl")
    assert len(BENCHMARK) == 200
    assert len(INTEGRATION) == 14
