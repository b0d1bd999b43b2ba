import logging
import signal
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from dateline.core import jobs
from dateline.core.management.checks import refuse_unsafe_production, require_migrated

logger = logging.getLogger("dateline.worker")


class Command(BaseCommand):
    help = "Run background work: polling, clustering, publishing scheduled posts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run every job until it has nothing to do, then exit.",
        )

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        # Without its tables every job would fail on every tick, each with a logged traceback.
        require_migrated()
        refuse_unsafe_production()
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True  # finish the batch in hand (a stoppable job's ends early), then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        registered = jobs.registered()
        self.stdout.write(
            f"worker: {len(registered)} jobs: {', '.join(j.name for j in registered)}"
        )
        while not stopping:
            handled = sum(self._run(job, lambda: stopping) for job in registered if not stopping)
            if once and handled == 0:
                break
            if handled == 0:
                jobs.idle(settings.WORKER_TICK_SECONDS, lambda: stopping)

    def _run(self, job: jobs.Job, stopping: Callable[[], bool]) -> int:
        try:
            handled = job.run_until(timezone.now(), stopping)
        except Exception:
            # One job's failure must not stop the others; it is logged with its traceback for the
            # operator and retried on the next tick.
            logger.exception("job %s failed", job.name)
            return 0
        if handled:
            logger.info("job %s handled %d", job.name, handled)
        return handled
