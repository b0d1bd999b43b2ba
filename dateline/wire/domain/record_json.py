"""Parsed-feed records as plain JSON values (``dateline parse --json``, debugging, fixtures).

Every field is kept, under its record name, so the output says exactly what the parser read:
datetimes as ISO 8601 (UTC), durations as seconds, tuples as lists, nested records as objects.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from typing import Any

from dateline.wire.domain.records import ParsedFeed

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]


def to_json(value: Any) -> JSONValue:
    """A record, or any value inside one, as a JSON value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in fields(value)}
    raise TypeError(f"no JSON form for {type(value).__name__}")


def feed_as_json(parsed: ParsedFeed) -> dict[str, JSONValue]:
    """``{"feed": {...}, "entries": [...], "warnings": [...]}`` plus how the document was read."""
    return {
        "feed": to_json(parsed.feed),
        "entries": [to_json(entry) for entry in parsed.entries],
        "warnings": list(parsed.warnings),
        "format": parsed.format,
        "encoding": parsed.encoding,
        "well_formed": parsed.well_formed,
    }
