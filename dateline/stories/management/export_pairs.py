"""`dateline stories export-pairs`: editors' corrections as labelled article pairs, JSON lines.

One object a line: {"a": article, "b": article, "same_story": true/false, "correction":
"merge"/"move-out", "made_at": time}, each article with id, title, text, lang, published and
source, the fields of the labelled files the clusterer is trained and scored on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError

from dateline.core.management.checks import require_migrated


def add_parser(subcommands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subcommands.add_parser(
        "export-pairs",
        help="Write editors' corrections as labelled article pairs (JSON lines) for training.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="where to write them (default: standard output)"
    )


def run(out: TextIO, *, output: str | None, **_: Any) -> None:
    require_migrated()
    if output is None:
        _write_pairs(out)
        return
    try:
        with Path(output).open("w", encoding="utf-8") as target:
            count = _write_pairs(target)
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror}") from None
    print(f"{count} labelled pairs written to {output}", file=sys.stderr)


def _write_pairs(stream: TextIO) -> int:
    from dateline.stories.services import labelled_pairs

    count = 0
    for pair in labelled_pairs():
        stream.write(json.dumps(pair, ensure_ascii=False) + "\n")
        count += 1
    return count
