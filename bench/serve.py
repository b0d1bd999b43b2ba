"""Benchmark: the public site of 10,000 posts on SQLite, served the way `dateline serve` serves it.

    .venv/bin/python bench/serve.py --json [--posts 10000] [--seconds 4] [--rounds 3]

A fresh data directory gets a site of POSTS published posts (bulk-created: a citation and the
editor's commentary each, every tenth with an update, two of 30 labels each, their search text),
then `dateline serve` itself (granian with `core.serving.server_options`, collectstatic, the
production settings) answers on a free loopback port, started with the bench-only settings module
bench/serve_settings.py whose only change is one URL more: the peer.

The peer is a view that answers with the page's bytes held as a constant and does no work
(bench/constant_urls.py), served twice: by the same server as the site (bench/serve_urls.py:
the limit of Dateline's own stack, `*_constant_*`), and alone on granian 2.8 (WSGI, 2 workers
x 4 blocking threads) in a minimal settings module, DEBUG off, only SecurityMiddleware and
CommonMiddleware (bench/constant_settings.py: the best Django can do, `*_constant_best_*`). For
the home page and a post page it measures

  cached         every request a cache hit (the shared page cache of decision 0066)
  uncached       every request a cache miss: a query string the page ignores but the cache key
                 holds, so each request renders the page from the database (and stores it)
  constant       the peer behind Dateline's stack, same bytes
  constant_best  the peer alone on granian, same bytes

with CONNECTIONS keep-alive connections for SECONDS each, ROUNDS rounds interleaved, medians
reported. The load comes from wrk (`wrk -t2 -cCONNECTIONS`, a Lua `request` function giving
each uncached request its own ignored query parameter) when it is installed, otherwise from
client processes
speaking raw HTTP/1.1 over sockets. `revalidations_304` counts, of 50 conditional GETs of the
post page with its ETag, each on a new connection (any worker process may answer), how many
answered 304. Latency under that load includes the queue; the uncached post page's latency is
also measured on one connection alone (`uncached_post_p99_ms`: the time one request takes, the
goal's figure), and loaded (`uncached_post_p99_ms_loaded`). `*_cpu_ms` is the server's CPU time
per request (master and workers, from /proc), which other programs on a shared machine inflate
far less than they inflate latency; `load_average_1min` says how shared the machine was.

Last line: one JSON object. Goals: cached_page_rps >= 50% of constant_best_rps (the worse of
the two pages is reported), uncached_post_p99_ms < 30, home_uncached_rps >= 350,
revalidations_304 == 50.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.metadata
import json
import multiprocessing
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
LABELS = 30
WRK = shutil.which("wrk")
REVALIDATIONS = 50


# --- the site ------------------------------------------------------------------------------


def build_site(posts: int) -> str:
    """Writes the site with bulk inserts; returns the path of a post in the middle."""
    from django.core.management import call_command
    from django.db import transaction

    from dateline.blog.domain.slugs import slugify
    from dateline.blog.models import (
        Label,
        PageGeneration,
        PartKind,
        Post,
        PostPart,
        PostStatus,
        SearchDocument,
    )

    call_command("migrate", verbosity=0)
    start = datetime(2016, 3, 30, 6, 0, tzinfo=UTC)
    with transaction.atomic():
        labels = Label.objects.bulk_create(
            Label(name=f"Region {n}", slug=f"region-{n}") for n in range(LABELS)
        )
        rows = []
        for n in range(posts):
            headline = f"Talks on the ceasefire resume in city {n} as envoys arrive"
            rows.append(
                Post(
                    headline=headline,
                    slug=slugify(f"{headline} {n}"),
                    byline="WNU Editor",
                    dateline_place="RAQQA, Syria",
                    status=PostStatus.PUBLISHED,
                    published_at=start + timedelta(hours=2 * n),
                )
            )
        created = Post.objects.bulk_create(rows, batch_size=500)
        parts, documents, links = [], [], []
        through = Post.labels.through
        for n, post in enumerate(created):
            url = f"https://news.example.org/world/{n}"
            quote = (
                "<p>Officials said talks were <em>at an advanced stage</em> and that a "
                "joint statement could follow within days.</p>"
            )
            parts.append(
                PostPart(
                    post=post,
                    position=0,
                    kind=PartKind.CITATION,
                    outlet_name="The Guardian",
                    source_headline=f"Envoys arrive for ceasefire talks, number {n}",
                    url=url,
                    quoted_excerpt=quote,
                    retrieved_at=post.published_at,
                )
            )
            parts.append(
                PostPart(
                    post=post,
                    position=1,
                    kind=PartKind.COMMENTARY,
                    speaker="WNU Editor",
                    body="<p>The third round this year; the last two ended within hours.</p>",
                )
            )
            if n % 10 == 0:
                parts.append(
                    PostPart(
                        post=post,
                        position=2,
                        kind=PartKind.UPDATE,
                        at=post.published_at + timedelta(hours=1),
                        body="<p>The talks were adjourned until tomorrow.</p>",
                    )
                )
            documents.append(
                SearchDocument(
                    post=post,
                    headline=post.headline,
                    body_text="RAQQA The Guardian envoys ceasefire talks advanced stage",
                )
            )
            for label in (labels[n % LABELS], labels[(n * 7 + 3) % LABELS]):
                links.append(through(post_id=post.pk, label_id=label.pk))
        PostPart.objects.bulk_create(parts, batch_size=500)
        SearchDocument.objects.bulk_create(documents, batch_size=500)
        through.objects.bulk_create(links, batch_size=500, ignore_conflicts=True)
        for name in ("site", "listings"):
            PageGeneration.objects.update_or_create(name=name, defaults={"value": 1})
    return created[posts // 2].get_absolute_url()


# --- the load ------------------------------------------------------------------------------


def _request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n".encode()


class _Connection:
    """One keep-alive HTTP/1.1 connection; reconnects when the server closes it (a worker
    restarted, or a server that limits requests per connection)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        return sock

    def get(self, request: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.sock is None:
                self.sock = self._connect()
            try:
                self.sock.sendall(request)
                return self._read()
            except (ConnectionError, OSError):
                self.sock.close()
                self.sock = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read(self) -> tuple[int, bytes]:
        assert self.sock is not None
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed mid-body")
            rest += chunk
        body, self.buffer = rest[:length], rest[length:]
        if close:
            self.sock.close()
            self.sock = None
        return status, body


def _client_process(
    port: int, path: str, vary: bool, threads: int, warm_until: float, stop_at: float, tag: str
) -> tuple[list[float], int, int]:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    answered = [0] * threads

    def run(index: int) -> None:
        connection = _Connection(port)
        separator = "&" if "?" in path else "?"
        counter = 0
        fixed = _request_bytes(path)
        while True:
            started = time.time()
            if started >= stop_at:
                break
            counter += 1
            request = (
                _request_bytes(f"{path}{separator}bench={tag}-{index}-{counter}") if vary else fixed
            )
            begin = time.perf_counter()
            try:
                status, _ = connection.get(request)
            except OSError:
                errors[index] += 1
                continue
            took = time.perf_counter() - begin
            answered[index] += 1
            if status != 200:
                errors[index] += 1
            elif started >= warm_until:
                latencies[index].append(took * 1000)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [ms for per_thread in latencies for ms in per_thread], sum(errors), sum(answered)


def server_cpu_seconds(master: int) -> float:
    """CPU time used so far by the server's main process and its workers, live and reaped (Linux).

    Unlike latency, this does not grow when other programs on the machine take the cores, so
    it says what a request costs the server however busy the machine is."""
    ticks = os.sysconf("SC_CLK_TCK")

    def fields(pid: int | str) -> list[str]:
        text = Path(f"/proc/{pid}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    mine = fields(master)
    # utime, stime, and cutime, cstime: what reaped workers (recycled after max_requests) used.
    total = sum(int(value) for value in mine[11:15])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            theirs = fields(entry.name)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if theirs[1] == str(master):
            total += int(theirs[11]) + int(theirs[12])
    return total / ticks


def measure(
    port: int,
    path: str,
    *,
    vary: bool,
    connections: int,
    seconds: float,
    tag: str,
    server: int,
) -> dict[str, float]:
    processes = min(connections, max(1, (os.cpu_count() or 2)))
    per_process = [
        connections // processes + (i < connections % processes) for i in range(processes)
    ]
    warm = 0.5
    now = time.time() + 0.3  # let every process start before the clock runs
    cpu_before = server_cpu_seconds(server)
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.starmap(
            _client_process,
            [
                (port, path, vary, threads, now + warm, now + warm + seconds, f"{tag}{i}")
                for i, threads in enumerate(per_process)
            ],
        )
    cpu = server_cpu_seconds(server) - cpu_before
    latencies = sorted(ms for result in results for ms in result[0])
    errors = sum(result[1] for result in results)
    requests = sum(result[2] for result in results)
    if not latencies:
        raise SystemExit(f"no successful request to {path} ({errors} errors)")
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": errors,
        # Server CPU per request over the whole run, warm-up requests included.
        "cpu_ms": cpu * 1000 / max(1, requests),
    }


_WRK_VARYING = """
local started = 0
function setup(thread)
  started = started + 1
  thread:set("thread_id", started)
end
counter = 0
function request()
  counter = counter + 1
  return wrk.format("GET", "%(path)s%(separator)sbench=%(tag)s-" .. thread_id .. "-" .. counter)
end
"""
_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def measure_wrk(
    port: int,
    path: str,
    *,
    vary: bool,
    connections: int,
    seconds: float,
    tag: str,
    server: int,
) -> dict[str, float]:
    """One wrk run; the same figures as `measure`."""
    assert WRK is not None
    command = [
        WRK,
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if vary:
            separator = "&" if "?" in path else "?"
            script.write(_WRK_VARYING % {"path": path, "separator": separator, "tag": tag})
            script.flush()
            command += ["-s", script.name, f"http://127.0.0.1:{port}/"]
        else:
            command.append(f"http://127.0.0.1:{port}{path}")
        cpu_before = server_cpu_seconds(server)
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        cpu = server_cpu_seconds(server) - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = {
        share: float(number) * _WRK_UNITS[unit]
        for share, number, unit in re.findall(
            r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M
        )
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": rps,
        "p50_ms": latency.get("50", 0.0),
        "p99_ms": latency.get("99", 0.0),
        "errors": errors,
        "cpu_ms": cpu * 1000 / max(1, requests),
    }


def revalidations(port: int, path: str) -> int:
    """Of REVALIDATIONS conditional GETs with the page's ETag, each on a new connection (so
    any worker process may answer), how many answered 304."""
    first = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    first.request("GET", path)
    answer = first.getresponse()
    answer.read()
    etag = answer.getheader("ETag")
    first.close()
    count = 0
    for _ in range(REVALIDATIONS):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"If-None-Match": etag or ""})
        reply = connection.getresponse()
        reply.read()
        count += reply.status == 304
        connection.close()
    return count


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    port: int, server: subprocess.Popen[bytes], timeout: float = 60, path: str = "/robots.txt"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {server.returncode}")
        try:
            status, _ = _Connection(port).get(_request_bytes(path))
            if status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("dateline serve did not answer in time")


def start_constant_best() -> tuple[subprocess.Popen[bytes], int]:
    """The best-case peer: the constant view alone on granian 2.8 (WSGI, 2 workers x 4 blocking
    threads) in a minimal settings module; it answers the bytes saved in BENCH_CONSTANT_DIR."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--blocking-threads",
            "4",
            "--no-access-log",
            "--no-ws",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "constant_wsgi:application",
        ],
        cwd=BENCH_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, port


def production_site(prefix: str) -> tuple[Path, Path]:
    """Points this process (and the servers it starts) at a fresh production site: a new data
    directory, the bench's settings module, and a folder for the constant view's bytes. Returns
    the data directory and that folder. Django is not set up yet."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    constant_dir = data_dir / "constant"
    constant_dir.mkdir()
    os.environ.update(
        DATELINE_DATA_DIR=str(data_dir),
        DATELINE_ENV="production",
        DATELINE_SECRET_KEY=secrets.token_urlsafe(40),
        DATELINE_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATELINE_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="serve_settings",
        BENCH_CONSTANT_DIR=str(constant_dir),
        PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(REPO_ROOT)]),
    )
    sys.path[:0] = [str(BENCH_DIR), str(REPO_ROOT)]
    return data_dir, constant_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON line (always)")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--python-client", action="store_true", help="load from Python clients even with wrk"
    )
    parser.add_argument("--workers", type=int, default=None, help="server worker processes")
    args = parser.parse_args()

    data_dir, constant_dir = production_site("dateline-bench-serve-")
    if args.workers:
        os.environ["DATELINE_WEB_WORKERS"] = str(args.workers)
    import django

    django.setup()
    from django.conf import settings

    began = time.monotonic()
    post_path = build_site(args.posts)
    build_seconds = time.monotonic() - began

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    best, best_port = start_constant_best()
    use_wrk = WRK is not None and not args.python_client
    load = measure_wrk if use_wrk else measure
    try:
        wait_for(port, server)
        pages = {"home": "/", "post": post_path}
        for name, path in pages.items():
            status, body = _Connection(port).get(_request_bytes(path))
            assert status == 200, (path, status)
            (constant_dir / f"{name}.html").write_bytes(body)
            _, again = _Connection(port).get(_request_bytes(f"/__bench__/constant/{name}/"))
            assert again == body, "the constant view must answer the very same bytes"
        wait_for(best_port, best, path="/__bench__/constant/home/")
        for name in pages:
            _, again = _Connection(best_port).get(_request_bytes(f"/__bench__/constant/{name}/"))
            assert again == (constant_dir / f"{name}.html").read_bytes(), "same bytes, best peer"
        revalidated = revalidations(port, post_path)

        runs: dict[str, list[dict[str, float]]] = {}
        for round_number in range(args.rounds):
            for name, path in pages.items():
                for kind, target, vary, where in (
                    ("constant_best", f"/__bench__/constant/{name}/", False, best),
                    ("constant", f"/__bench__/constant/{name}/", False, server),
                    ("cached", path, False, server),
                    ("uncached", path, True, server),
                ):
                    runs.setdefault(f"{name}_{kind}", []).append(
                        load(
                            best_port if where is best else port,
                            target,
                            vary=vary,
                            connections=args.connections,
                            seconds=args.seconds,
                            tag=f"r{round_number}",
                            server=where.pid,
                        )
                    )
            runs.setdefault("post_uncached_alone", []).append(
                load(
                    port,
                    post_path,
                    vary=True,
                    connections=1,
                    seconds=args.seconds,
                    tag="a",
                    server=server.pid,
                )
            )
    finally:
        for process in (server, best):
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)

    def median(key: str, field: str) -> float:
        return round(statistics.median(run[field] for run in runs[key]), 2)

    report: dict[str, object] = {}
    for key in runs:
        for field in ("rps", "p50_ms", "p99_ms", "cpu_ms"):
            report[f"{key}_{field}"] = median(key, field)
        report[f"{key}_errors"] = sum(run["errors"] for run in runs[key])
    ratios = {
        name: median(f"{name}_cached", "rps") / median(f"{name}_constant", "rps") for name in pages
    }
    best_ratios = {
        name: median(f"{name}_cached", "rps") / median(f"{name}_constant_best", "rps")
        for name in pages
    }
    worse = min(best_ratios, key=lambda name: best_ratios[name])
    report.update(
        posts=args.posts,
        build_seconds=round(build_seconds, 1),
        server_workers=settings.WEB_WORKERS,
        connections=args.connections,
        seconds_per_run=args.seconds,
        rounds=args.rounds,
        cached_page=worse,
        cached_page_rps=median(f"{worse}_cached", "rps"),
        constant_response_rps=median(f"{worse}_constant", "rps"),
        cached_to_constant_ratio=round(ratios[worse], 3),
        constant_best_rps=median(f"{worse}_constant_best", "rps"),
        cached_to_constant_best_ratio=round(best_ratios[worse], 3),
        home_cached_to_constant_best_ratio=round(best_ratios["home"], 3),
        post_cached_to_constant_best_ratio=round(best_ratios["post"], 3),
        best_server=f"granian {importlib.metadata.version('granian')}",
        site_server=f"granian {importlib.metadata.version('granian')}",
        load_generator="wrk" if use_wrk else "python",
        revalidations_304=revalidated,
        home_cached_to_constant_ratio=round(ratios["home"], 3),
        post_cached_to_constant_ratio=round(ratios["post"], 3),
        uncached_post_p99_ms=median("post_uncached_alone", "p99_ms"),
        uncached_post_p50_ms=median("post_uncached_alone", "p50_ms"),
        uncached_post_p99_ms_loaded=median("post_uncached", "p99_ms"),
        uncached_post_cpu_ms=median("post_uncached_alone", "cpu_ms"),
        load_average_1min=round(os.getloadavg()[0], 2),
        goal_cached_ratio_met=best_ratios[worse] >= 0.5,
        goal_uncached_post_p99_met=median("post_uncached_alone", "p99_ms") < 30,
        goal_uncached_home_rps_met=median("home_uncached", "rps") >= 350,
        goal_revalidations_met=revalidated == REVALIDATIONS,
    )
    for key, value in report.items():
        if not args.json:
            print(f"{key}: {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
