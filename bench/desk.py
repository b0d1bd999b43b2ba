"""Benchmark: the desk's triage, story and compose pages with 1,000 open stories and 20,000
articles on SQLite, signed in, served the way `dateline serve` serves them.

    .venv/bin/python bench/desk.py --json [--stories 1000] [--articles 20000] [--requests 300]
                                          [--rounds 3]

A fresh data directory gets the desk's data in bulk (dateline/desk/tests/world.py: stories of 20
articles from 199 outlets, every tenth covered by a post with an update suggestion waiting, every
seventh marked on the desk), an editor and a session for them; then `dateline serve` (granian,
the production settings, the bench URLconf of bench/serve_settings.py) answers on a loopback port.
Each page is asked REQUESTS times in a row on one keep-alive connection (the goal's figure: the
time one request takes), after a few unmeasured ones, ROUNDS rounds interleaved; p50 and p99 are
the medians over rounds. The peer, the triage page's bytes answered as a constant by the same
server (bench/serve_urls.py), measured the same way, says what the stack itself costs on this
machine at that moment: `triage_to_constant_p50` is the ratio.

Last line: one JSON object, {"triage": {"p50_ms", "p99_ms", "cpu_ms"}, "story": {...},
"compose": {...}, "constant": {...}, "stories": N, "articles": N, ...}; `cpu_ms` is the server's
CPU time per request. Goal: p99 < 100 ms for each page.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# bench/ is the script's own folder, first on sys.path: serve.py imports nothing of Django here.
from serve import production_site

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
GOAL_P99_MS = 100.0
WARM_UP = 10


def build_desk(stories: int, articles: int) -> tuple[dict[str, str], str]:
    """Writes the desk's data; returns the pages to measure and a session cookie for an editor."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.core.management import call_command

    from dateline.desk.tests import world

    call_command("migrate", verbosity=0)
    ranked = world.build(stories=stories, articles=articles, outlets=199)
    editor = get_user_model().objects.create_superuser("editor", password=secrets.token_hex(16))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(editor.pk)
    # The backend that signed the editor in must still be one the site uses.
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = editor.get_session_auth_hash()
    session.create()
    story = ranked[0]
    pages = {
        "triage": "/desk/",
        "story": f"/desk/stories/{story.pk}/",
        "compose": f"/desk/compose/{story.first_article_id}/",
    }
    return pages, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _request(path: str, cookie: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n"
        f"Cookie: {cookie}\r\n\r\n"
    ).encode()


def one_connection(
    port: int, path: str, cookie: str, requests: int, server: int
) -> dict[str, float]:
    """REQUESTS requests one after another on one connection: the latency of each, and the
    server's CPU time per request (which other programs on a shared machine inflate far less
    than they inflate latency)."""
    from serve import _Connection, server_cpu_seconds

    connection = _Connection(port)
    request = _request(path, cookie)
    took = []
    cpu_before = 0.0
    for n in range(WARM_UP + requests):
        if n == WARM_UP:
            cpu_before = server_cpu_seconds(server)
        begin = time.perf_counter()
        status, body = connection.get(request)
        elapsed = (time.perf_counter() - begin) * 1000
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:200]!r}")
        if n >= WARM_UP:
            took.append(elapsed)
    cpu_ms = (server_cpu_seconds(server) - cpu_before) * 1000 / requests
    took.sort()
    return {
        "p50_ms": statistics.median(took),
        "p99_ms": took[min(len(took) - 1, round(0.99 * (len(took) - 1)))],
        "cpu_ms": cpu_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON line (always)")
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300, help="measured requests per run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    data_dir, constant_dir = production_site("dateline-bench-desk-")
    import django

    django.setup()
    from serve import _Connection, free_port, wait_for

    began = time.monotonic()
    pages, cookie = build_desk(args.stories, args.articles)
    build_seconds = time.monotonic() - began

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, server)
        status, body = _Connection(port).get(_request(pages["triage"], cookie))
        if status != 200 or b'class="triage-list"' not in body:
            raise SystemExit(f"the triage page did not answer signed in ({status})")
        (constant_dir / "triage.html").write_bytes(body)
        targets = {**pages, "constant": "/__bench__/constant/triage/"}
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for _ in range(args.rounds):
            for name, path in targets.items():
                runs[name].append(one_connection(port, path, cookie, args.requests, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)

    report: dict[str, object] = {
        name: {
            field: round(statistics.median(run[field] for run in results), 2)
            for field in ("p50_ms", "p99_ms", "cpu_ms")
        }
        for name, results in runs.items()
    }
    triage, constant = report["triage"], report["constant"]
    assert isinstance(triage, dict) and isinstance(constant, dict)
    report.update(
        stories=args.stories,
        articles=args.articles,
        requests_per_run=args.requests,
        rounds=args.rounds,
        build_seconds=round(build_seconds, 1),
        triage_to_constant_p50=round(triage["p50_ms"] / constant["p50_ms"], 2),
        load_average_1min=round(os.getloadavg()[0], 2),
        goal_p99_met=all(
            report[name]["p99_ms"] < GOAL_P99_MS  # type: ignore[index]
            for name in pages
        ),
    )
    if not args.json:
        for key, value in report.items():
            print(f"{key}: {value}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
