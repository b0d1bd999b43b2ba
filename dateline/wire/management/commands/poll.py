"""`dateline poll [--once]`: poll due feeds in the foreground, with a progress bar."""

from __future__ import annotations

import signal
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, OutputWrapper

from dateline.core import claims, jobs
from dateline.core.management.checks import require_migrated
from dateline.wire import services
from dateline.wire.domain.text import terminal_safe
from dateline.wire.services import PollOutcome

BAR_WIDTH = 30
ERRORS_SHOWN = 10


class ProgressBar:
    """One line redrawn in place on a terminal; nothing until the summary elsewhere (logs)."""

    def __init__(self, total: int, out: OutputWrapper) -> None:
        self.total = total
        self.out = out
        self.live = out.isatty()
        self.done = 0
        self.new = 0
        self.errors = 0

    def step(self, outcome: PollOutcome) -> None:
        self.done += 1
        self.new += outcome.new
        self.errors += bool(outcome.error)
        if self.live:
            filled = BAR_WIDTH * self.done // max(1, self.total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.out.write(
                f"\rpolling [{bar}] {self.done}/{self.total} feeds, {self.new} new, "
                f"{self.errors} errors",
                ending="",
            )
            self.out.flush()

    def close(self) -> None:
        if self.live:
            self.out.write("")


class Command(BaseCommand):
    help = "Poll the feeds that are due now, in the foreground, showing progress."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Poll every feed due now once, then exit."
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        require_migrated()
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            # Within a second: answers in hand are stored, feeds still in flight abandoned.
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        polled = 0
        while not stopping:
            # The database's clock, as the worker's: due by the same time on every machine.
            feeds = services.claim_due_feeds(claims.database_now())
            if not feeds:
                if once:
                    break
                jobs.idle(settings.WORKER_TICK_SECONDS, lambda: stopping)
                continue
            bar = ProgressBar(len(feeds), self.stdout)
            outcomes = services.poll_feeds(
                feeds, claims.database_now(), progress=bar.step, stop_when=lambda: stopping
            )
            bar.close()
            self._summarise(outcomes)
            if len(outcomes) < len(feeds):
                self.stdout.write(
                    f"stopped: {len(feeds) - len(outcomes)} feeds left for the next poll"
                )
            polled += len(outcomes)
        if polled == 0:
            self.stdout.write("no feeds are due")

    def _summarise(self, outcomes: list[PollOutcome]) -> None:
        statuses = Counter(o.status for o in outcomes if not o.error)
        failed = [o for o in outcomes if o.error]
        new = sum(o.new for o in outcomes)
        changed = sum(o.changed for o in outcomes)
        self.stdout.write(
            f"polled {len(outcomes)} feeds: {len(outcomes) - len(failed)} ok "
            f"({statuses.get(304, 0)} unchanged), {len(failed)} failed; "
            f"{new} new articles, {changed} updated"
        )
        for outcome in failed[:ERRORS_SHOWN]:
            self.stdout.write(terminal_safe(f"  {outcome.url}: {outcome.error}"))
        if len(failed) > ERRORS_SHOWN:
            self.stdout.write(
                f"  ... and {len(failed) - ERRORS_SHOWN} more (`dateline feeds list`)"
            )
