"""The parser's golden files: each feed in golden/ parses to the JSON written beside it.

The feeds were written for the tree (no shared data needed): one or more per format and
extension family the parser reads. A failure shows the unified diff between the expected file
and today's parse; see golden/README.md for when and how to regenerate.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from dateline.wire.domain.records import Chapter, Entry, Itunes, TextValue
from dateline.wire.tests import golden

# The pattern the conformance test calls unsafe: script, event handlers, javascript: URLs...
from dateline.wire.tests.conformance import _EXECUTABLE as EXECUTABLE

FEEDS = golden.feed_paths()


@pytest.mark.parametrize("feed", FEEDS, ids=[feed.name for feed in FEEDS])
def test_feed_parses_to_its_expected_json(feed: Path) -> None:
    expected_file = golden.expected_path(feed)
    assert expected_file.exists(), f"{feed.name} has no {expected_file.name}"
    expected_text = expected_file.read_text(encoding="utf-8")
    actual_text = golden.actual_text(feed)
    if json.loads(expected_text) != json.loads(actual_text):
        pytest.fail(
            f"{feed.name} no longer parses to {expected_file.name}:\n"
            + golden.diff(expected_text, actual_text, golden.case_name(feed)),
            pytrace=False,
        )


def test_there_are_enough_golden_pairs_and_nothing_stray() -> None:
    assert len(FEEDS) >= 20, f"only {len(FEEDS)} golden feeds"
    feeds = {golden.case_name(feed) for feed in FEEDS}
    expected = {
        path.name.removesuffix(golden.EXPECTED_SUFFIX)
        for path in golden.GOLDEN.glob("*" + golden.EXPECTED_SUFFIX)
    }
    requests = {
        path.name.removesuffix(golden.REQUEST_SUFFIX)
        for path in golden.GOLDEN.glob("*" + golden.REQUEST_SUFFIX)
    }
    assert feeds <= expected, f"feeds without an expected file: {sorted(feeds - expected)}"
    assert expected <= feeds, f"expected files without a feed: {sorted(expected - feeds)}"
    assert requests <= feeds, f"request files without a feed: {sorted(requests - feeds)}"


@pytest.mark.parametrize("feed", FEEDS, ids=[feed.name for feed in FEEDS])
def test_no_expected_file_keeps_executable_markup(feed: Path) -> None:
    # A regenerated file is read by a person, but one who trusts the sanitiser may miss a
    # script that a sanitiser regression let through: this reads every HTML value for them.
    expected = json.loads(golden.expected_path(feed).read_text(encoding="utf-8"))
    unsafe = [value for value in _markup_values(expected) if EXECUTABLE.search(value)]
    assert not unsafe, f"{feed.name}: executable markup in the expected output: {unsafe}"


def _markup_values(node: object) -> list[str]:
    """The values of every text construct in a golden JSON tree whose type is not plain text."""
    found = []
    if isinstance(node, dict):
        kind, value = node.get("type"), node.get("value")
        if isinstance(value, str) and kind in ("text/html", "application/xhtml+xml"):
            found.append(value)
        for child in node.values():
            found.extend(_markup_values(child))
    elif isinstance(node, list):
        for child in node:
            found.extend(_markup_values(child))
    return found


def test_the_serializer_leaves_out_only_what_says_nothing() -> None:
    entry = Entry(
        id="urn:x",
        summary=TextValue("Floods", language="en"),
        published=datetime(2026, 3, 1, 7, 30, tzinfo=UTC),
        itunes=Itunes(explicit=False),
        chapters=(Chapter(start="00:01:30", offset=timedelta(seconds=90)),),
    )
    assert golden.to_json(entry) == {
        "id": "urn:x",
        "summary": {"value": "Floods", "language": "en"},
        "published": "2026-03-01T07:30:00+00:00",
        "itunes": {"explicit": False},
        "chapters": [{"start": "00:01:30", "offset": 90.0}],
    }


def test_a_date_outside_utc_shows_in_the_json_rather_than_being_converted() -> None:
    # Records promise UTC dates: a parser that broke the promise must fail its golden files.
    two_hours_east = timezone(timedelta(hours=2))
    entry = Entry(id="urn:x", updated=datetime(2026, 3, 1, 9, 30, tzinfo=two_hours_east))
    assert golden.to_json(entry)["updated"] == "2026-03-01T09:30:00+02:00"
