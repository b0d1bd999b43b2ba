"""`GET /healthz`, for load balancers and container health checks (decision 0062).

200 when the database answers and every migration on disk is applied, 503 otherwise. It is
answered by the first middleware, before any other runs: Django's CommonMiddleware checks the Host
header against ALLOWED_HOSTS on every request, and a health check comes by IP address, or with
whatever Host its balancer sends. Nothing else running also means no session, no CSRF cookie and
no page cache: the answer writes nothing, sets no cookie and is never stored.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

PATH = "/healthz"

logger = logging.getLogger("dateline.health")


def healthz(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response: HttpResponse = HttpResponseNotAllowed(["GET", "HEAD"])
    else:
        problem = _problem()
        body = "ok\n" if problem is None else f"unavailable: {problem}\n"
        response = HttpResponse(
            b"" if request.method == "HEAD" else body.encode(),
            status=200 if problem is None else 503,
            content_type="text/plain; charset=utf-8",
        )
    response["Cache-Control"] = "no-store"
    return response


def _problem() -> str | None:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        # Connecting would create an empty database where the real one went missing.
        return "no database"
    try:
        applied = MigrationRecorder(connection).applied_migrations()
    except DatabaseError as error:
        # The details (a host name, a path) go to the log, not to whoever asked.
        logger.warning("health check: the database does not answer: %s", error)
        return "database unreachable"
    if not _migrations_on_disk() <= applied.keys():
        return "migrations not applied"
    return None


@functools.cache
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Each app's last migration: read from disk once per process, not at every check."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


class HealthCheckMiddleware:
    """Answers `/healthz` itself; first in settings.MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return healthz(request)
        return self.get_response(request)
