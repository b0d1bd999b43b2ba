"""Benchmark: the demo site as `make run` serves it, against the best case for Django.

    .venv/bin/python bench/serve_demo.py [--seconds 4] [--rounds 3] [--connections 32]

The Serving issue's goal holds "for `dateline serve` started with no settings on the demo site,
as well as in production at 10,000 posts" (bench/serve.py measures the latter). Here a fresh data
directory gets `dateline demo`, and `dateline serve` answers it with no other setting (the
development defaults, DEBUG off); beside it, bench/serve.py's best-case peer (a constant Django
view in a minimal settings module on granian 2.8, 2 workers x 4 blocking threads) answers the
very same bytes of the home page and a post page. Each is loaded with wrk (or bench/serve.py's
Python clients without it) for SECONDS per run, ROUNDS rounds interleaved; medians reported.
Last line: one JSON object; goal: cached_to_constant_best_ratio >= 0.5 (the worse page).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from serve import (
    BENCH_DIR,
    REPO_ROOT,
    WRK,
    _Connection,
    _request_bytes,
    free_port,
    measure,
    measure_wrk,
    revalidations,
    start_constant_best,
    wait_for,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dateline-bench-demo-"))
    constant_dir = data_dir / "constant"
    constant_dir.mkdir()
    # The site's process gets no setting but its data directory; the peer needs its folder.
    site_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATELINE_", "DJANGO_"))}
    site_env.update(DATELINE_DATA_DIR=str(data_dir / "site"), PYTHONPATH=str(REPO_ROOT))
    os.environ.update(
        BENCH_CONSTANT_DIR=str(constant_dir),
        PYTHONPATH=os.pathsep.join([str(BENCH_DIR), str(REPO_ROOT)]),
    )
    dateline = [sys.executable, "-m", "dateline.cli"]
    subprocess.run(
        [*dateline, "demo"], env=site_env, cwd=REPO_ROOT, check=True, capture_output=True
    )

    port = free_port()
    server = subprocess.Popen(
        [*dateline, "serve", "--port", str(port)],
        env=site_env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    best, best_port = start_constant_best()
    load = measure_wrk if WRK is not None else measure
    runs: dict[str, list[dict[str, float]]] = {}
    try:
        wait_for(port, server)
        _, home = _Connection(port).get(_request_bytes("/"))
        post_path = re.search(rb'href="(/\d{4}/\d{2}/[^"#?]+/)"', home)
        if post_path is None:
            raise SystemExit("the demo's home page links no post")
        pages = {"home": "/", "post": post_path.group(1).decode()}
        for name, path in pages.items():
            status, body = _Connection(port).get(_request_bytes(path))
            assert status == 200, (path, status)
            (constant_dir / f"{name}.html").write_bytes(body)
        wait_for(best_port, best, path="/__bench__/constant/home/")
        revalidated = revalidations(port, pages["post"])
        for round_number in range(args.rounds):
            for name, path in pages.items():
                for kind, target_port, target, pid in (
                    ("constant_best", best_port, f"/__bench__/constant/{name}/", best.pid),
                    ("cached", port, path, server.pid),
                ):
                    runs.setdefault(f"{name}_{kind}", []).append(
                        load(
                            target_port,
                            target,
                            vary=False,
                            connections=args.connections,
                            seconds=args.seconds,
                            tag=f"r{round_number}",
                            server=pid,
                        )
                    )
    finally:
        for process in (server, best):
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)

    def median(key: str) -> float:
        return round(statistics.median(run["rps"] for run in runs[key]), 1)

    ratios = {name: median(f"{name}_cached") / median(f"{name}_constant_best") for name in pages}
    worse = min(ratios, key=lambda name: ratios[name])
    report = {f"{key}_rps": median(key) for key in runs}
    report.update(
        site="demo, `dateline serve` with no settings",
        errors=sum(run["errors"] for key in runs for run in runs[key]),
        cached_page=worse,
        cached_to_constant_best_ratio=round(ratios[worse], 3),
        home_cached_to_constant_best_ratio=round(ratios["home"], 3),
        post_cached_to_constant_best_ratio=round(ratios["post"], 3),
        revalidations_304=revalidated,
        load_generator="wrk" if WRK is not None else "python",
        load_average_1min=round(os.getloadavg()[0], 2),
        goal_cached_ratio_met=ratios[worse] >= 0.5,
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
