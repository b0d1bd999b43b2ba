"""Fuzzing parse_feed with mutated real feeds: it returns valid records or raises ParseError.

Real feeds from the benchmark corpus are mutated by byte flips, truncation, splices of two
feeds and inserted junk (markup fragments, entities, odd encodings' bytes), the breakage feeds
really show. Whatever comes in, parse_feed must either raise the typed ParseError or return a
ParsedFeed whose every value is a valid record value: text is str that UTF-8 and PostgreSQL
can store, dates are aware UTC datetimes, entries have ids. The example count stays small for
CI; run with HYPOTHESIS_PROFILE=fuzz-long (500 examples) to search longer.
"""

from __future__ import annotations

import json
import os
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.record_json import feed_as_json
from dateline.wire.domain.records import Entry, ParsedFeed
from dateline.wire.exceptions import ParseError
from dateline.wire.tests.shared_data import require

# Small and middling feeds of every format: the mutations matter, not the size.
_MAX_FEED_BYTES = 120_000

settings.register_profile(
    "fuzz-ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fuzz-long", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "fuzz-ci")


@cache
def corpus() -> tuple[bytes, ...]:
    """Small real feeds, plus the integration folder (a JSON Feed, UTF-16, broken XML, and
    other parsers' JSON output, which is JSON but no feed)."""
    files = []
    for folder in ("fastfeedparser-benchmark", "fastfeedparser-integration"):
        root = require(f"feeds/real-news/{folder}")
        files += sorted(p for p in root.rglob("*") if p.is_file())
    return tuple(p.read_bytes() for p in files if p.stat().st_size < _MAX_FEED_BYTES)


_JUNK = [b"<", b">", b"&", b"&nbsp;", b"&#0;", b"&#xD800;", b"]]>", b"<![CDATA[", b"<!--",
         b"<!DOCTYPE rss [<!ENTITY e 'x'>]>", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3",
         b"\x80\x9d", b'xmlns:x="urn:x"', b"<x:y>", b"</item>", b"<item>", b"<entry>", b"{",
         b'"items": [', b"\\u0000", b"\\ud800", b"<?xml version='1.0' encoding='utf-16'?>",
         b'<a href="javascript:alert(1)">', b"<script>", b"\r", b"\t" * 64]  # fmt: skip


@st.composite
def mutated_feed(draw: st.DrawFn) -> bytes:
    feeds = corpus()
    data = bytearray(feeds[draw(st.integers(0, len(feeds) - 1))])
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "splice", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            for offset in range(draw(st.integers(1, 8))):
                if at + offset < len(data):
                    data[at + offset] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":
            other = feeds[draw(st.integers(0, len(feeds) - 1))]
            data[at:] = other[draw(st.integers(0, max(0, len(other) - 1))) :]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(_JUNK))
        else:
            del data[at : at + draw(st.integers(1, 256))]
    return bytes(data)


def _check_value(value: Any, where: str) -> None:
    if value is None or isinstance(value, bool | int | float | timedelta):
        return
    if isinstance(value, str):
        value.encode("utf-8")  # no lone surrogates
        assert "\x00" not in value, f"NUL in {where}"
        return
    if isinstance(value, datetime):
        assert value.utcoffset() == timedelta(0), f"{where} is not UTC: {value!r}"
        return
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]")
        return
    assert is_dataclass(value), f"{where}: unexpected {type(value).__name__}"
    for field in fields(value):
        _check_value(getattr(value, field.name), f"{where}.{field.name}")


def assert_valid(parsed: ParsedFeed) -> None:
    assert isinstance(parsed, ParsedFeed)
    _check_value(parsed, "parsed")
    for entry in parsed.entries:
        assert isinstance(entry, Entry) and isinstance(entry.id, str) and entry.id
    assert all(isinstance(warning, str) and warning for warning in parsed.warnings)
    json.dumps(feed_as_json(parsed), ensure_ascii=False).encode("utf-8")


# What fuzzing found once, kept as fixed examples: NUL and half surrogate pairs in JSON
# strings, and references to characters XML forbids in a recovered document.
_JSON_WITH_BAD_ESCAPES = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "a\\u0000b\\ud800",'
    b' "items": [{"id": "1", "title": "x\\udfff"}]}'
)
_XML_WITH_FORBIDDEN_REFERENCES = (
    b'<rss version="2.0"><channel><title>&#0;x</title>'
    b"<item><title>a&#xD800;</title></item></channel></rss>"
)


@settings(settings.get_profile(_PROFILE))
@example(_JSON_WITH_BAD_ESCAPES)
@example(_XML_WITH_FORBIDDEN_REFERENCES)
@given(mutated_feed())
def test_parse_feed_returns_valid_records_or_raises_parse_error(data: bytes) -> None:
    try:
        parsed = parse_feed(data)
    except ParseError as error:
        assert error.what
        return
    assert_valid(parsed)


@pytest.mark.parametrize("cut", [1, 7, 64, 300])
def test_every_corpus_feed_cut_short_still_parses_or_is_refused(cut: int) -> None:
    for data in corpus()[:: max(1, len(corpus()) // 25)]:
        try:
            parsed = parse_feed(data[: max(1, len(data) * cut // 301)])
        except ParseError:
            continue
        assert_valid(parsed)


def test_declared_entities_expand_to_no_more_than_the_document_holds():
    # One 1,000-character entity used 30,000 times: a 90 KB feed that expanded to 30 MB (a
    # 10 MB one to 3 GB). What the budget leaves unexpanded is kept as visible text ("&amp;a;"
    # in the HTML, so a little longer than the references were).
    declared = "<!DOCTYPE rss [<!ENTITY a '" + "x" * 1000 + "'>]>"
    item = (
        "<item><title>t</title><link>https://a.example/1</link><description>{}</description></item>"
    )
    document = (
        f'<?xml version="1.0"?>{declared}<rss version="2.0"><channel><title>&a;</title>'
        + item.format("&a;" * 30_000) + "</channel></rss>"
    ).encode()  # fmt: skip
    parsed = parse_feed(document)
    assert parsed.feed.title is not None and parsed.feed.title.value == "x" * 1000
    summary = parsed.entries[0].summary
    assert summary is not None and len(summary.value) <= 4 * len(document)
