"""The production web server: granian (WSGI), configured in one place.

`dateline serve` and bench/serve.py both build the server from `server_options()`, so what the
benchmark measures is what users run. This is the only module that imports granian. Chosen
over gunicorn by measurement (docs/decisions/0067-granian-serves-the-site.md).

An instance keeps no state outside its own processes: no control socket, no pid file, no
files in the home or runtime directory, so any number of sites (or instances of one) run on
one machine side by side.
"""

from __future__ import annotations

from typing import Any

from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.server import Server

# The WSGI application, imported by each worker process.
APPLICATION = "dateline.wsgi:application"
# Blocking threads per worker: Django is synchronous, so a thread per request in flight; four
# overlap a slow client or database wait without the memory of more processes.
THREADS_PER_WORKER = 4


def server_options(
    *, host: str, port: int, workers: int, access_log: bool = False
) -> dict[str, Any]:
    return {
        "address": host,
        "port": port,
        "interface": Interfaces.WSGI,
        "workers": max(1, workers),
        "blocking_threads": THREADS_PER_WORKER,
        "backlog": 1024,
        # A client that sends its headers slower than this is dropped (slowloris).
        "http1_settings": HTTP1Settings(header_read_timeout=30_000, keep_alive=True),
        "log_enabled": True,
        "log_level": "info",
        "log_access": access_log,
        # A worker that dies (out of memory, a crash in a C extension) is replaced.
        "respawn_failed_workers": True,
        "workers_kill_timeout": 20,
        # No pid file and no process-name tricks: nothing shared between instances.
        "pid_file": None,
    }


def run(target: str, options: dict[str, Any]) -> None:
    """Runs until stopped (SIGINT or SIGTERM); `target` is "module:attribute" of the WSGI
    application, imported in each worker."""
    Server(target, **options).serve()
