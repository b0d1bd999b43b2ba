"""``dateline parse FILE_OR_URL [--json]``: the editor's feed debugger.

Reads one feed document, from a file (``-`` for standard input) or an http(s) URL fetched
through the same guarded client the poller uses, and prints what Dateline's parser makes of
it. Nothing is stored. A document that is not a feed at all ends with a one-line message and
a non-zero exit; one that could be read only in part prints what was read and says why.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dateline.core.safehttp import FetchError, fetch
from dateline.wire.domain.record_json import feed_as_json
from dateline.wire.domain.records import Entry, ParsedFeed, Person, TextValue
from dateline.wire.domain.text import terminal_safe
from dateline.wire.exceptions import ParseError
from dateline.wire.services import MAX_FEED_BYTES, fetch_policy, parse_feed

_SUMMARY_CHARS = 160


class Command(BaseCommand):
    help = "Parse one feed (a file or an http(s) URL) and print its feed and entries."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", metavar="FILE_OR_URL", help="A feed file, - or a URL.")
        parser.add_argument(
            "--json",
            action="store_true",
            help='Print one JSON object: {"feed": {...}, "entries": [...], "warnings": [...]}.',
        )

    def handle(self, *args: Any, source: str, json: bool = False, **options: Any) -> None:
        parsed = _read(source)
        if json:
            self.stdout.write(_dumps(feed_as_json(parsed)))
        else:
            self.stdout.write(terminal_safe(_describe(parsed)))
        if parsed.warnings and not json:
            self.stderr.write(f"{len(parsed.warnings)} warning(s): the feed was read leniently")


def _read(source: str) -> ParsedFeed:
    headers: dict[str, str | None] = {}
    if source.lower().startswith(("http://", "https://")):
        try:
            result = fetch(source, policy=fetch_policy()).raise_for_status()
        except FetchError as error:
            raise CommandError(f"could not fetch the feed: {error}") from None
        data = result.body
        headers = {
            "content_type": result.header("content-type"),
            "content_location": result.header("content-location"),
            "content_language": result.header("content-language"),
            "base_url": result.url,
        }
    else:
        data = _read_file(source)
    try:
        return parse_feed(data, **headers)
    except ParseError as error:
        raise CommandError(f"{source}: {error}") from None


def _read_file(source: str) -> bytes:
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_FEED_BYTES + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_FEED_BYTES + 1)
    except OSError as error:
        raise CommandError(f"cannot read {source}: {error.strerror or error}") from None
    return data


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _text(value: TextValue | None) -> str:
    if value is None:
        return ""
    flat = " ".join(value.value.split())
    return flat if len(flat) <= _SUMMARY_CHARS else flat[: _SUMMARY_CHARS - 1] + "…"


def _people(people: tuple[Person, ...]) -> str:
    return ", ".join(person.name or person.email or person.uri or "?" for person in people)


def _when(entry: Entry) -> str:
    parts = []
    for label, moment, raw in (
        ("published", entry.published, entry.published_text),
        ("updated", entry.updated, entry.updated_text),
    ):
        if moment is not None:
            parts.append(f"{label} {moment.isoformat()}")
        elif raw:
            parts.append(f"{label} unknown ({raw!r})")
    return "; ".join(parts)


def _describe(parsed: ParsedFeed) -> str:
    feed = parsed.feed
    lines = [
        f"feed: {feed.title or '(untitled)'}",
        f"  format {parsed.format or 'unknown'}, encoding {parsed.encoding}, "
        f"{'well-formed' if parsed.well_formed else 'NOT well-formed'}",
    ]
    for label, value in (
        ("link", feed.link),
        ("subtitle", _text(feed.subtitle)),
        ("language", feed.language),
        ("updated", feed.updated.isoformat() if feed.updated else feed.updated_text),
        ("authors", _people(feed.authors)),
        ("icon", feed.icon or feed.logo),
    ):
        if value:
            lines.append(f"  {label}: {value}")
    lines.append(f"{len(parsed.entries)} entries")
    for number, entry in enumerate(parsed.entries, 1):
        lines.append(f"[{number}] {entry.title or '(untitled)'}")
        for label, value in (
            ("link", entry.link),
            ("id", entry.id if entry.id_from_feed else f"{entry.id} (derived)"),
            ("date", _when(entry)),
            ("authors", _people(entry.authors)),
            ("categories", ", ".join(category.term for category in entry.categories)),
            ("summary", _text(entry.summary)),
            ("enclosures", ", ".join(enclosure.url for enclosure in entry.enclosures)),
        ):
            if value:
                lines.append(f"    {label}: {value}")
    if parsed.warnings:
        lines.append("warnings:")
        lines.extend(f"  - {warning}" for warning in parsed.warnings)
    return "\n".join(lines)
