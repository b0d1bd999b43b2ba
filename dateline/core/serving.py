"""The production web server: gunicorn, configured in one place.

`dateline serve` and bench/serve.py both build the server from `server_options()`, so what the
benchmark measures is what users run. This is the only module that imports gunicorn.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


def server_options(
    *, host: str, port: int, workers: int, access_log: bool = True
) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": max(1, workers),
        # Threads let one process overlap a slow client or database wait with other requests
        # without the memory of more processes.
        "worker_class": "gthread",
        "threads": 4,
        "keepalive": 5,
        "timeout": 30,
        "graceful_timeout": 20,
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        # Gunicorn trusts no peer's X-Forwarded-* (its default trusts loopback: any local process
        # could claim https). Only Django reads X-Forwarded-Proto, and only with
        # DATELINE_BEHIND_TLS_PROXY=true (see settings), so one setting decides.
        "forwarded_allow_ips": "",
    }


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, load: Callable[[], Any], options: dict[str, Any]) -> None:
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load()


def run(load: Callable[[], Any], options: dict[str, Any]) -> None:
    """Runs until stopped; `load` returns the WSGI application (called in each worker)."""
    _Server(load, options).run()
