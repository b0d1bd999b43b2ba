"""Golden files: feeds written for the tree, each beside the JSON its parse must give.

``golden/NAME.xml`` (or ``NAME.json`` for a JSON Feed) is parsed with ``parse_feed`` and the
result is written as JSON in ``golden/NAME.expected.json``; ``golden/NAME.request.json``, when
present, gives the HTTP context of the fetch (``base_url``, ``content_type``,
``content_location``, ``content_language``) as keyword arguments of ``parse_feed``.

The JSON is made by walking the records' dataclass fields, not by naming them, so it follows
the records when they change shape. It leaves out what says nothing (None, empty values, a
field equal to its default) so that each file shows only what the feed gave; a field without
a default is always written. Dates are ISO 8601 (records hold them in UTC), durations
seconds, tuples lists.

Regenerate only when a change of output is intended, then read the diff by hand::

    python -m dateline.wire.tests.golden --write [NAME ...]   # rewrite expected files
    python -m dateline.wire.tests.golden [NAME ...]           # show what differs, write nothing
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain import record_json
from dateline.wire.domain.records import ParsedFeed

GOLDEN = Path(__file__).with_name("golden")
EXPECTED_SUFFIX = ".expected.json"
REQUEST_SUFFIX = ".request.json"
FEED_SUFFIXES = (".xml", ".json")


def feed_paths() -> list[Path]:
    """Every feed in the golden folder (not its expected or request files), by name."""
    return sorted(
        path
        for path in GOLDEN.iterdir()
        if path.suffix in FEED_SUFFIXES
        and not path.name.endswith((EXPECTED_SUFFIX, REQUEST_SUFFIX))
    )


def case_name(feed: Path) -> str:
    return feed.name.rsplit(".", 1)[0]


def expected_path(feed: Path) -> Path:
    return feed.with_name(case_name(feed) + EXPECTED_SUFFIX)


def request_of(feed: Path) -> dict[str, Any]:
    """The keyword arguments the feed is parsed with: its sidecar's, or none."""
    sidecar = feed.with_name(case_name(feed) + REQUEST_SUFFIX)
    if not sidecar.exists():
        return {}
    request: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
    return request


def parse_golden(feed: Path) -> ParsedFeed:
    return parse_feed(feed.read_bytes(), **request_of(feed))


def to_json(value: Any) -> Any:
    """A record, or any value inside one, as a JSON value with the silent fields left out.

    Records and sequences are walked here; every other value (text, numbers, datetimes,
    durations) takes the JSON form ``record_json`` gives it, the one ``dateline parse --json``
    shows.
    """
    if is_dataclass(value) and not isinstance(value, type):
        written = {}
        for field in fields(value):
            item = getattr(value, field.name)
            has_default = field.default is not MISSING or field.default_factory is not MISSING
            if has_default and _says_nothing(item, field):
                continue
            written[field.name] = to_json(item)
        return written
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return record_json.to_json(value)


def _says_nothing(value: Any, field: Any) -> bool:
    if value is None or (isinstance(value, str | tuple | list | dict) and not value):
        return True
    default = field.default if field.default is not MISSING else field.default_factory()
    return type(value) is type(default) and bool(value == default)


def dumps(value: Any) -> str:
    """The one text form of golden JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def actual_text(feed: Path) -> str:
    return dumps(to_json(parse_golden(feed)))


def diff(expected: str, actual: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{name}{EXPECTED_SUFFIX} (expected)",
            tofile=f"{name} (parsed now)",
        )
    )


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(
        prog="python -m dateline.wire.tests.golden",
        description="Show (or with --write, rewrite) the expected JSON of the golden feeds.",
    )
    arguments.add_argument("names", nargs="*", help="case names (file names without suffix)")
    arguments.add_argument("--write", action="store_true", help="rewrite the expected files")
    options = arguments.parse_args(argv)
    feeds = feed_paths()
    if options.names:
        by_name = {case_name(feed): feed for feed in feeds}
        unknown = sorted(set(options.names) - set(by_name))
        if unknown:
            print("no such golden feed: " + ", ".join(unknown), file=sys.stderr)
            return 2
        feeds = [by_name[name] for name in options.names]
    differing = 0
    for feed in feeds:
        actual = actual_text(feed)
        target = expected_path(feed)
        expected = target.read_text(encoding="utf-8") if target.exists() else ""
        if actual == expected:
            continue
        differing += 1
        if options.write:
            target.write_text(actual, encoding="utf-8")
            print(f"wrote {target.name}")
        else:
            print(diff(expected, actual, case_name(feed)))
    if not options.write and differing:
        print(f"{differing} golden file(s) differ; --write rewrites them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
