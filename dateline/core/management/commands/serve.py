from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from dateline.core import serving
from dateline.core.management.checks import (
    ANY_HOST_WARNING,
    refuse_unsafe_production,
    require_migrated,
)

PLAIN_HTTP_WARNING = (
    "warning: DATELINE_BEHIND_TLS_PROXY is not set, so every request counts as plain HTTP: "
    "links say http://, and behind a proxy that serves https the desk's sign-in fails Django's "
    "CSRF origin check. Set it when the proxy in front terminates TLS and sets "
    "X-Forwarded-Proto (docs/operations.md)."
)


class Command(BaseCommand):
    help = "Run the web site under the production server (granian), static files included."
    requires_system_checks = "__all__"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument("--workers", type=int, default=None, help="Worker processes.")

    def handle(self, *args: Any, port: int, host: str, workers: int | None, **opts: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        require_migrated()
        refuse_unsafe_production()
        # Static files are collected at every start (only changed files are copied), so a
        # deployment has no separate step to forget; whitenoise serves them compressed.
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the workers are new processes: each opens its own
        if settings.PRODUCTION and not settings.BEHIND_TLS_PROXY:
            # Not an error: a site may be tried out over plain HTTP. But the usual deployment,
            # behind a TLS proxy, half works without it, which is hard to diagnose.
            self.stderr.write(PLAIN_HTTP_WARNING)
        if settings.PRODUCTION and "*" in settings.ALLOWED_HOSTS:
            self.stderr.write(ANY_HOST_WARNING)
        self.stdout.write(f"Dateline serving on http://{host}:{port}/", ending="\n")
        self.stdout.flush()
        serving.run(
            serving.APPLICATION,
            serving.server_options(
                host=host,
                port=port,
                workers=workers or settings.WEB_WORKERS,
                access_log=settings.ACCESS_LOG,
            ),
        )
