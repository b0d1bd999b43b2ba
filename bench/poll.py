"""Benchmark: poll 500 feeds from a loopback server with Dateline and with lemon24/reader.

    PYTHONPATH=. python bench/poll.py --json [--runs 3] [--feeds 500]

A server process serves FEEDS feeds cycled from ../shared/data/feeds/real-news/ (the 200 real
feeds of the fastfeedparser benchmark), each with an ETag and Last-Modified, in two phases:

- phase 1: every feed answers 200 with its document (the "first pass");
- phase 2: 80 % answer 304 to the validators they were given, 20 % answer 200 with a different
  real document (new entries for that feed, many of them already stored from other feeds).

Each run is a fresh process with a fresh SQLite database (Dateline) or reader database:
pass 1, then pass 2 (`cycle_500_seconds`), then further phase-2 cycles to watch memory. The last
line printed is one JSON object with medians over the runs:

  dateline_feeds_per_s / reader_feeds_per_s   first pass, whole pipeline, every feed 200
  cycle_500_seconds                           Dateline, the 80 %-304 cycle
  cycle_500_main_cpu_s                        the CPU the Dateline process spent on it (parse
                                              workers excluded): on a shared machine the wall
                                              clock also counts waiting for a core
  cycle_500_helpers_cpu_s                     the CPU its helper processes spent on it (parse
                                              workers, fetch process): main + helpers over the
                                              cores is the least the cycle can take
  lost, lost_by_feed                          entries served that Dateline did not record,
                                              checked entry by entry (an article carried by two
                                              feeds is stored once but must be seen by both:
                                              each feed needs a sighting of each entry)
  peak_rss_mb, rss_mb_by_cycle                Dateline process memory, across repeated cycles
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DATELINE_SHARED_DATA", REPO_ROOT / ".." / "shared" / "data"))
CORPUS = SHARED / "feeds" / "real-news" / "fastfeedparser-benchmark"
CHANGED_SHARE = 0.2


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith("."))


# --- the server (its own process, so it does not share a core's GIL with the poller) -------------


def document_for(index: int, phase: int, count: int) -> int:
    """Which corpus document feed `index` serves in `phase`."""
    if phase == 2 and index % int(1 / CHANGED_SHARE) == 0:
        return (index + 1) % count  # a different real document: this feed "published"
    return index % count


def serve(port_file: str, feeds: int) -> None:
    docs = [p.read_bytes() for p in corpus_files()]
    tags = [hashlib.sha1(d).hexdigest()[:16] for d in docs]
    state = {"phase": 1}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path.startswith("/phase/"):
                state["phase"] = int(self.path.rsplit("/", 1)[1])
                return self._send(200, b"ok", {})
            index = int(self.path.rsplit("/", 1)[1])
            doc = document_for(index, state["phase"], len(docs))
            etag = f'"{tags[doc]}-{index}"'
            headers = {"ETag": etag, "Last-Modified": "Mon, 16 Feb 2026 09:00:00 GMT",
                       "Content-Type": "application/xml"}  # fmt: skip
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", headers)
            return self._send(200, docs[doc], headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Path(port_file).write_text(str(server.server_address[1]))
    server.serve_forever()


def set_phase(port: int, phase: int) -> None:
    import urllib.request

    urllib.request.urlopen(f"http://127.0.0.1:{port}/phase/{phase}").read()


@dataclass(frozen=True)
class ServedEntry:
    """One entry as an independent parser (fastfeedparser) reads it from a served document."""

    id: str
    link: str
    title: str
    # The independent parser's whole entry, to tell apart entries with no id, link or title.
    fingerprint: str

    @property
    def identity(self) -> str:
        return self.id or self.link or self.title


def served_entries(feeds: int, phases: list[int]) -> dict[int, list[ServedEntry]]:
    """The distinct entries each feed served over `phases` (by id, else link, else title)."""
    import fastfeedparser

    per_doc: list[list[ServedEntry]] = []
    for path in corpus_files():
        parsed = fastfeedparser.parse(path.read_bytes())
        entries = [
            ServedEntry(
                (entry.get("id") or "").strip(),
                (entry.get("link") or "").strip(),
                (entry.get("title") or "").strip(),
                repr(entry),
            )
            for entry in parsed.entries
        ]
        per_doc.append(entries)
    served: dict[int, list[ServedEntry]] = {}
    for index in range(feeds):
        distinct: dict[str, ServedEntry] = {}
        for phase in phases:
            for entry in per_doc[document_for(index, phase, len(per_doc))]:
                distinct.setdefault(entry.identity or entry.fingerprint, entry)
        served[index] = list(distinct.values())
    return served


def unrecorded(
    served: list[ServedEntry], keys: set[str], urls: set[str], titles: set[str], anonymous: int
) -> int:
    """How many served entries no sighting of the feed accounts for.

    An entry is recorded when the feed has a sighting keyed by its id, or of an article with its
    link (as served or canonical) or, for entries with neither, its title. Entries with no id,
    link or title can only be counted: there must be as many of the feed's content-hash
    sightings of untitled, link-less articles (`anonymous`). Counting entry by entry (not
    comparing totals) keeps extra sightings from hiding a missing one.
    """
    from dateline.core.urls import InvalidURL, canonical_url

    missing = 0
    nameless = [entry for entry in served if not entry.identity]
    missing += max(0, len(nameless) - anonymous)
    for entry in served:
        if not entry.identity:
            continue
        if entry.id and f"guid:{entry.id}" in keys:
            continue
        links = {entry.link}
        with contextlib.suppress(InvalidURL):
            links.add(canonical_url(entry.link))
        if entry.link and (links & urls or any(f"link:{link}" in keys for link in links)):
            continue
        if entry.title and entry.title in titles:
            continue
        missing += 1
    return missing


# --- one measured run in its own process ---------------------------------------------------------


def rss_mb() -> float:
    # Current resident set, from /proc (ru_maxrss is the peak, which cannot show a plateau).
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def helpers_cpu_s() -> float:
    """CPU spent so far by this process's descendants: the fork server, the parse workers and
    fetch processes it forked (live ones by their own time, ended ones in their reaper's)."""
    children: dict[int, list[int]] = {}
    times: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # After the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15), 1-based.
        children.setdefault(int(fields[1]), []).append(int(entry))
        times[int(entry)] = sum(int(value) for value in fields[11:15])
    total, todo = 0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0)
        todo += children.get(pid, [])
    return total / os.sysconf("SC_CLK_TCK")


def run_dateline(port: int, feeds: int, cycles: int) -> dict[str, object]:
    data_dir = tempfile.mkdtemp(prefix="dateline-bench-")
    os.environ["DATELINE_DATA_DIR"] = data_dir
    os.environ["DATELINE_FETCH_ALLOW_LOOPBACK"] = "true"
    os.environ["DATELINE_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dateline.wire import services
    from dateline.wire.models import Article, Feed, Sighting

    call_command("migrate", verbosity=0)
    for index in range(feeds):
        services.add_feed(url=f"http://127.0.0.1:{port}/feed/{index}", outlet_name=f"O{index}")

    cpu: list[float] = []
    helpers_cpu: list[float] = []

    def cycle() -> tuple[float, list]:
        Feed.objects.update(next_poll_at=None)
        start, start_cpu = time.perf_counter(), time.process_time()
        start_helpers = helpers_cpu_s()
        outcomes = services.poll_due_feeds(timezone.now(), limit=feeds)
        # This process's CPU (storing, handing over; not the parse workers' or the fetch
        # process's, counted apart): on a shared machine they say what the cycle costs when the
        # wall clock includes waiting for a core.
        cpu.append(time.process_time() - start_cpu)
        helpers_cpu.append(helpers_cpu_s() - start_helpers)
        return time.perf_counter() - start, outcomes

    set_phase(port, 1)
    first, outcomes = cycle()
    errors = [o.error for o in outcomes if o.error]
    set_phase(port, 2)
    second, outcomes2 = cycle()
    statuses = [o.status for o in outcomes2]
    memory = [rss_mb()]
    for _ in range(cycles):
        cycle()
        memory.append(rss_mb())
    served = served_entries(feeds, [1, 2])
    lost = 0
    lost_by_feed: dict[int, int] = {}
    for index in range(feeds):
        feed = Feed.objects.get(url=f"http://127.0.0.1:{port}/feed/{index}")
        sightings = Sighting.objects.filter(feed=feed)
        keys = set(sightings.values_list("key", flat=True))
        articles = Article.objects.filter(sightings__feed=feed)
        urls = set(articles.values_list("url", flat=True))
        urls |= set(articles.exclude(canonical_url=None).values_list("canonical_url", flat=True))
        titles = set(articles.values_list("title", flat=True))
        anonymous = sightings.filter(key__startswith="hash:", article__title="", article__url="")
        missing = unrecorded(served[index], keys, urls, titles, anonymous.count())
        if missing:
            lost_by_feed[index] = missing
        lost += missing
    return {
        "first_pass_s": first,
        "feeds_per_s": feeds / first,
        "cycle_s": second,
        "cycle_cpu_s": cpu[1],
        "cycle_helpers_cpu_s": helpers_cpu[1],
        "not_modified": statuses.count(304),
        "errors": errors[:5],
        "error_count": len(errors),
        "articles": Article.objects.count(),
        "sightings": Sighting.objects.count(),
        "served_entries": sum(len(entries) for entries in served.values()),
        "lost": lost,
        "lost_by_feed": dict(list(lost_by_feed.items())[:10]),
        "rss_mb_by_cycle": memory,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_reader(port: int, feeds: int, workers: int) -> dict[str, object]:
    from reader import make_reader

    path = Path(tempfile.mkdtemp(prefix="reader-bench-")) / "db.sqlite"
    reader = make_reader(str(path))
    for index in range(feeds):
        reader.add_feed(f"http://127.0.0.1:{port}/feed/{index}")
    set_phase(port, 1)
    start = time.perf_counter()
    reader.update_feeds(workers=workers)
    first = time.perf_counter() - start
    failed = sum(1 for feed in reader.get_feeds() if feed.last_exception)
    set_phase(port, 2)
    start = time.perf_counter()
    reader.update_feeds(workers=workers, scheduled=False)
    second = time.perf_counter() - start
    return {
        "first_pass_s": first,
        "feeds_per_s": feeds / first,
        "cycle_s": second,
        "failed_feeds": failed,
        "entries": reader.get_entry_counts().total,
    }


# --- the driver ----------------------------------------------------------------------------------


def child(kind: str, port: int, feeds: int, cycles: int, workers: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, __file__, "--child", kind, "--port", str(port)]
    command += ["--feeds", str(feeds), "--cycles", str(cycles), "--workers", str(workers)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=3, help="extra phase-2 cycles (memory)")
    parser.add_argument("--workers", type=int, default=8, help="reader's worker threads")
    parser.add_argument("--child", choices=["dateline", "reader", "server"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--port-file")
    parser.add_argument("--skip-reader", action="store_true")
    args = parser.parse_args()

    if args.child == "server":
        serve(args.port_file, args.feeds)
        return
    if args.child == "dateline":
        print(json.dumps(run_dateline(args.port, args.feeds, args.cycles)))
        return
    if args.child == "reader":
        print(json.dumps(run_reader(args.port, args.feeds, args.workers)))
        return

    if not CORPUS.is_dir():
        print(json.dumps({"skipped": f"no corpus at {CORPUS}"}))
        return
    port_file = Path(tempfile.mkdtemp(prefix="poll-bench-")) / "port"
    server_command = [sys.executable, __file__, "--child", "server"]
    server_command += ["--port-file", str(port_file), "--feeds", str(args.feeds)]
    server = subprocess.Popen(server_command)
    try:
        for _ in range(100):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.1)
        port = int(port_file.read_text())
        dateline_runs, reader_runs = [], []
        for _ in range(args.runs):
            dateline_runs.append(child("dateline", port, args.feeds, args.cycles, args.workers))
            if not args.skip_reader:
                reader_runs.append(child("reader", port, args.feeds, args.workers, args.workers))
            if not args.json:
                print(dateline_runs[-1], reader_runs[-1] if reader_runs else "", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()

    def median(runs: list[dict[str, object]], key: str) -> float:
        return round(statistics.median(float(run[key]) for run in runs), 3)  # type: ignore[arg-type]

    summary: dict[str, object] = {
        "feeds": args.feeds,
        "runs": args.runs,
        "dateline_feeds_per_s": median(dateline_runs, "feeds_per_s"),
        "dateline_first_pass_s": median(dateline_runs, "first_pass_s"),
        "cycle_500_seconds": median(dateline_runs, "cycle_s"),
        "cycle_500_main_cpu_s": median(dateline_runs, "cycle_cpu_s"),
        "cycle_500_helpers_cpu_s": median(dateline_runs, "cycle_helpers_cpu_s"),
        "lost": max(int(run["lost"]) for run in dateline_runs),  # type: ignore[call-overload]
        "lost_by_feed": dateline_runs[0]["lost_by_feed"],
        "served_entries": dateline_runs[0]["served_entries"],
        "sightings": dateline_runs[0]["sightings"],
        "articles": dateline_runs[0]["articles"],
        "dateline_feed_errors": dateline_runs[0]["error_count"],
        "dateline_error_samples": dateline_runs[0]["errors"],
        "peak_rss_mb": median(dateline_runs, "peak_rss_mb"),
        "rss_mb_by_cycle": dateline_runs[0]["rss_mb_by_cycle"],
    }
    if reader_runs:
        summary |= {
            "reader_feeds_per_s": median(reader_runs, "feeds_per_s"),
            "reader_first_pass_s": median(reader_runs, "first_pass_s"),
            "reader_cycle_seconds": median(reader_runs, "cycle_s"),
            "reader_failed_feeds": reader_runs[0]["failed_feeds"],
            "speedup": round(
                median(dateline_runs, "feeds_per_s") / median(reader_runs, "feeds_per_s"), 2
            ),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
