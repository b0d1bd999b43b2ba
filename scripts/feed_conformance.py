"""Runs feedparser's conformance corpus through Dateline's feed parser and scores it.

    PYTHONPATH=. python scripts/feed_conformance.py [--json] [--failures FILE] [--corpus DIR]

Prints each failing case with its reason (unless --json), then, as its last line, one JSON
object: {"wellformed": {"passed", "total"}, "sanitize": {"passed", "total", "unsafe"},
"entities": ..., "encoding": ..., "illformed": ..., "json": ...}. --failures FILE writes the
failing cases as "path<TAB>reason" lines (the format of the known-failures list).
The corpus is ../shared/data/feeds/feedparser-conformance (DATELINE_SHARED_DATA overrides).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from dateline.wire.tests.conformance import run_corpus, summarise  # noqa: E402


def main() -> int:
    shared = Path(os.environ.get("DATELINE_SHARED_DATA", REPO_ROOT / ".." / "shared" / "data"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--failures", type=Path, help="write failing cases to this file")
    parser.add_argument("--corpus", type=Path, default=shared / "feeds" / "feedparser-conformance")
    arguments = parser.parse_args()
    if not (arguments.corpus / "manifest.jsonl").is_file():
        print(f"no conformance corpus at {arguments.corpus}", file=sys.stderr)
        return 2
    results = run_corpus(arguments.corpus)
    failing = [result for result in results if not result.passed]
    if not arguments.json:
        for result in failing:
            print(f"FAIL {result.path}: {result.reason}")
        for result in results:
            if result.unsafe:
                print(f"UNSAFE {result.path}")
    if arguments.failures:
        arguments.failures.write_text(
            "".join(f"{r.path}\t{r.reason}\n" for r in failing), encoding="utf-8"
        )
    print(json.dumps(summarise(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
