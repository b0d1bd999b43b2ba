import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dateline.core import claims, jobs
from dateline.core.management.checks import refuse_unsafe_production, require_migrated


class Command(BaseCommand):
    help = "Run background work: polling, clustering, publishing scheduled posts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run every job until it has nothing to do, one after another, then exit.",
        )
        parser.add_argument(
            "--jobs",
            dest="job_names",
            metavar="NAMES",
            help="Run only these jobs, comma-separated (e.g. `poll` or `cluster,publish`), to "
            "dedicate worker processes to them. Default: every job.",
        )

    def handle(
        self, *args: Any, once: bool = False, job_names: str | None = None, **options: Any
    ) -> None:
        # Without its tables every job would fail on every tick, each with a logged traceback.
        require_migrated()
        refuse_unsafe_production()
        try:
            selected = jobs.registered() if job_names is None else jobs.select(job_names.split(","))
        except jobs.UnknownJob as error:
            raise CommandError(str(error)) from None
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True  # finish the batches in hand (a stoppable job's ends early), then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker: {len(selected)} jobs: {', '.join(j.name for j in selected)}")
        if once:
            self._run_until_idle(selected, lambda: stopping)
            return
        # Each job in a thread of its own: a long poll batch holds up no other job.
        threads = [
            threading.Thread(
                target=jobs.keep_running,
                args=(job, lambda: stopping),
                kwargs={"tick": settings.WORKER_TICK_SECONDS, "clock": claims.database_now},
                name=f"dateline-{job.name}",
            )
            for job in selected
        ]
        for thread in threads:
            thread.start()
        # Signals reach this thread only: it waits for them, the jobs' threads look at the flag.
        while not stopping and any(thread.is_alive() for thread in threads):
            time.sleep(jobs.IDLE_STEP_SECONDS)
        for thread in threads:
            thread.join()

    def _run_until_idle(self, selected: tuple[jobs.Job, ...], stopping: Callable[[], bool]) -> None:
        """Every job in turn, in this thread, until a whole round finds nothing to do."""
        while not stopping():
            handled = sum(
                jobs.run_batch(job, claims.database_now(), stopping)
                for job in selected
                if not stopping()
            )
            if handled == 0:
                return
