"""Feed-parsing throughput: Dateline's whole pipeline against feedparser and fastfeedparser.

    PYTHONPATH=. python bench/parse.py [--json] [--runs N] [--only NAME]

Reads the 200 real feeds of ../shared/data/feeds/real-news/fastfeedparser-benchmark/ into
memory, then for each parser parses all of them N times (default 3) in a fresh subprocess and
takes the median: Dateline (parse, normalise, sanitise, resolve: ``parse_feed``), feedparser
6 (``feedparser.parse``) and fastfeedparser (``fastfeedparser.parse``). Each subprocess also
reports its peak RSS. Two more runs say where the time goes: Dateline with its entries' HTML left
for later (``raw_entry_html``: the poll pipeline's parse stage, which sanitises and resolves only
what it stores) and feedparser with neither (``sanitize_html=False,
resolve_relative_uris=False``). From them, ``sanitising_ceiling`` is the most
``dateline_vs_feedparser`` could reach if everything but the entries' HTML cost nothing
(feedparser's time over the seconds Dateline spends on that HTML). Then, each in a fresh
subprocess, Dateline parses one synthetic 10 MB RSS feed (made here: some 13,500 items of HTML)
whole, and the same feed cut short (the recovering path): their peak RSS is the memory figure
(goal: under 200 MB). The last line printed is one JSON object: {"seconds": {...}, "mb": ...,
"entries": {...}, "peak_rss_mb": {...}, "speedup": {...}, "sanitising_seconds": ...,
"sanitising_ceiling": ..., "memory_10mb_feed": {...}}.
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

PARSERS = (
    "dateline",
    "feedparser",
    "fastfeedparser",
    "dateline-unsanitised",
    "feedparser-unsanitised",
)


def corpus_dir() -> Path:
    shared = Path(os.environ.get("DATELINE_SHARED_DATA", REPO_ROOT / ".." / "shared" / "data"))
    return shared / "feeds" / "real-news" / "fastfeedparser-benchmark"


def load_corpus() -> list[bytes]:
    return [path.read_bytes() for path in sorted(corpus_dir().rglob("*")) if path.is_file()]


def _parse_all(name: str, documents: list[bytes]) -> int:
    """Parses every document once; returns the number of entries read."""
    entries = 0
    if name.startswith("dateline"):
        from dateline.wire.adapters.feeds import parse_feed
        from dateline.wire.exceptions import ParseError

        raw = name == "dateline-unsanitised"
        for data in documents:
            with contextlib.suppress(ParseError):
                entries += len(parse_feed(data, raw_entry_html=raw).entries)
    elif name.startswith("feedparser"):
        import feedparser

        html = name == "feedparser"  # sanitise and resolve the entries' HTML, as by default
        for data in documents:
            parsed = feedparser.parse(data, sanitize_html=html, resolve_relative_uris=html)
            entries += len(parsed.entries)
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


MEMORY_FEED_BYTES = 10 * 1024 * 1024


def synthetic_feed(size: int = MEMORY_FEED_BYTES) -> bytes:
    """An RSS 2.0 feed of ``size`` bytes: items with escaped HTML, CDATA content, dates."""
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<title>Synthetic Wire</title><link>https://wire.example/</link>"
        "<description>A large feed for the memory benchmark</description>"
    )
    parts = [head]
    total = len(head)
    number = 0
    while total < size - 64:
        number += 1
        item = (
            f"<item><title>Report {number}: council votes on harbour budget</title>"
            f"<link>/news/{number}</link><guid>https://wire.example/news/{number}</guid>"
            f"<pubDate>Tue, 17 Feb 2026 {number % 24:02d}:{number % 60:02d}:00 +0100</pubDate>"
            f"<dc:creator>Desk {number % 17}</dc:creator><category>local</category>"
            "<description>&lt;p&gt;The council met on &lt;b&gt;Tuesday&lt;/b&gt; and agreed"
            ' &lt;a href="/budget"&gt;the budget&lt;/a&gt;.&lt;/p&gt;</description>'
            "<content:encoded><![CDATA[<p>Full story with <em>markup</em>, an image "
            f'<img src="/img/{number}.jpg" alt="harbour"> and a link to '
            f'<a href="https://wire.example/news/{number}">itself</a>.</p>'
            + "<p>Paragraph of reporting text that goes on for a while.</p>" * 3
            + "]]></content:encoded></item>"
        )
        parts.append(item)
        total += len(item)
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def measure_memory(kind: str) -> dict[str, object]:
    """Peak RSS of parsing the synthetic feed in this (fresh) process."""
    from dateline.wire.adapters.feeds import parse_feed

    data = synthetic_feed()
    if kind == "truncated":
        data = data[: len(data) - len(data) // 10]  # cut inside an item: the recovering path
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parsed = parse_feed(data)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "kind": kind,
        "feed_mb": round(len(data) / 1024 / 1024, 2),
        "entries": len(parsed.entries),
        "well_formed": parsed.well_formed,
        "rss_before_parse_mb": round(before_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }


def _in_child(*arguments: str) -> dict[str, object]:
    """Runs this script with ``arguments`` in a fresh process; its last line, read as JSON."""
    completed = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=PARSERS, help="run one parser in this process")
    parser.add_argument(
        "--memory", choices=("whole", "truncated"), help="measure the 10 MB feed in this process"
    )
    arguments = parser.parse_args()
    if arguments.memory:
        print(json.dumps(measure_memory(arguments.memory)))
        return 0
    if not corpus_dir().is_dir():
        print(f"no benchmark corpus at {corpus_dir()}", file=sys.stderr)
        return 2
    if arguments.only:
        print(json.dumps(run_one(arguments.only, arguments.runs)))
        return 0
    results = {}
    for name in PARSERS:
        results[name] = _in_child("--only", name, "--runs", str(arguments.runs))
        if not arguments.json:
            print(f"{name}: {results[name]}")
    memory = {}
    for kind in ("whole", "truncated"):
        memory[kind] = _in_child("--memory", kind)
        if not arguments.json:
            print(f"10 MB feed, {kind}: {memory[kind]}")
    seconds = {name: round(float(result["seconds"]), 4) for name, result in results.items()}
    sanitising = seconds["dateline"] - seconds["dateline-unsanitised"]
    summary = {
        "seconds": seconds,
        "mb": results["dateline"]["mb"],
        "entries": {name: result["entries"] for name, result in results.items()},
        "peak_rss_mb": {name: result["peak_rss_mb"] for name, result in results.items()},
        "speedup": {
            "dateline_vs_feedparser": round(seconds["feedparser"] / seconds["dateline"], 2),
            "dateline_vs_fastfeedparser": round(seconds["fastfeedparser"] / seconds["dateline"], 3),
            "unsanitised_dateline_vs_feedparser": round(
                seconds["feedparser-unsanitised"] / seconds["dateline-unsanitised"], 2
            ),
        },
        "sanitising_seconds": round(sanitising, 4),
        "sanitising_ceiling": round(seconds["feedparser"] / max(sanitising, 1e-9), 2),
        "runs": arguments.runs,
        "memory_10mb_feed": {
            "peak_rss_mb": {kind: result["peak_rss_mb"] for kind, result in memory.items()},
            "entries": {kind: result["entries"] for kind, result in memory.items()},
            "under_200_mb": all(float(str(r["peak_rss_mb"])) < 200 for r in memory.values()),
        },
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
