"""Feed-parsing throughput: Dateline's whole pipeline against feedparser and fastfeedparser.

    PYTHONPATH=. python bench/parse.py [--json] [--runs N] [--only NAME]

Reads the 200 real feeds of ../shared/data/feeds/real-news/fastfeedparser-benchmark/ into
memory, then for each parser parses all of them N times (default 3) in a fresh subprocess and
takes the median: Dateline (parse, normalise, sanitise, resolve: ``parse_feed``), feedparser
6 (``feedparser.parse``) and fastfeedparser (``fastfeedparser.parse``). Each subprocess also
reports its peak RSS. The last line printed is one JSON object:
{"seconds": {...}, "mb": ..., "entries": {...}, "peak_rss_mb": {...}, "speedup": {...}}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

PARSERS = ("dateline", "feedparser", "fastfeedparser")


def corpus_dir() -> Path:
    shared = Path(os.environ.get("DATELINE_SHARED_DATA", REPO_ROOT / ".." / "shared" / "data"))
    return shared / "feeds" / "real-news" / "fastfeedparser-benchmark"


def load_corpus() -> list[bytes]:
    return [path.read_bytes() for path in sorted(corpus_dir().rglob("*")) if path.is_file()]


def _parse_all(name: str, documents: list[bytes]) -> int:
    """Parses every document once; returns the number of entries read."""
    entries = 0
    if name == "dateline":
        from dateline.wire.adapters.feeds import parse_feed
        from dateline.wire.exceptions import ParseError

        for data in documents:
            with contextlib.suppress(ParseError):
                entries += len(parse_feed(data).entries)
    elif name == "feedparser":
        import feedparser

        for data in documents:
            entries += len(feedparser.parse(data).entries)
    else:
        import fastfeedparser

        for data in documents:
            # It raises assorted errors on feeds it rejects; those count as no entries.
            with contextlib.suppress(Exception):
                entries += len(fastfeedparser.parse(data).entries)
    return entries


def run_one(name: str, runs: int) -> dict[str, object]:
    documents = load_corpus()
    _parse_all(name, documents[:5])  # imports and caches warm, as in a running worker
    times = []
    entries = 0
    for _ in range(runs):
        start = time.perf_counter()
        entries = _parse_all(name, documents)
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "parser": name,
        "seconds": statistics.median(times),
        "runs": [round(t, 4) for t in times],
        "entries": entries,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "mb": round(sum(len(d) for d in documents) / 1e6, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=PARSERS, help="run one parser in this process")
    arguments = parser.parse_args()
    if not corpus_dir().is_dir():
        print(f"no benchmark corpus at {corpus_dir()}", file=sys.stderr)
        return 2
    if arguments.only:
        print(json.dumps(run_one(arguments.only, arguments.runs)))
        return 0
    results = {}
    for name in PARSERS:
        completed = subprocess.run(
            [sys.executable, __file__, "--only", name, "--runs", str(arguments.runs)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(completed.stdout.strip().splitlines()[-1])
        if not arguments.json:
            print(f"{name}: {results[name]}")
    seconds = {name: round(float(result["seconds"]), 4) for name, result in results.items()}
    summary = {
        "seconds": seconds,
        "mb": results["dateline"]["mb"],
        "entries": {name: result["entries"] for name, result in results.items()},
        "peak_rss_mb": {name: result["peak_rss_mb"] for name, result in results.items()},
        "speedup": {
            "dateline_vs_feedparser": round(seconds["feedparser"] / seconds["dateline"], 2),
            "dateline_vs_fastfeedparser": round(seconds["fastfeedparser"] / seconds["dateline"], 3),
        },
        "runs": arguments.runs,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
