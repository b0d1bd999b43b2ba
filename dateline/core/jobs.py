"""Background jobs: what `dateline worker` runs.

Apps register their periodic work here from `AppConfig.ready()` (wire: poll due feeds; stories:
cluster new articles; blog: publish scheduled posts). The worker knows no app: it runs whatever is
registered. A job claims the rows it works on (see `claims.py`), so any number of workers on any
number of machines can run the same jobs against one PostgreSQL database without doing anything
twice.

A worker runs each of its jobs in a thread of its own (`keep_running`), so no job waits behind
another: a poll batch of slow hosts can take minutes, and a scheduled post must not wait for it
(docs/decisions/0064). Each thread has its own database connection, as Django gives every thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import close_old_connections, connections

logger = logging.getLogger("dateline.worker")

# How soon an idle worker or poller notices it was asked to stop.
IDLE_STEP_SECONDS = 0.5


class StoppableRun(Protocol):
    """A job's batch that can end early: it returns soon after `stop_when()` turns true."""

    def __call__(self, now: datetime, *, stop_when: Callable[[], bool]) -> int: ...


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    # Does one batch of work due at `now`; returns how many items it handled (0 = nothing to do).
    run: Callable[[datetime], int]
    help: str
    # The same batch, for a job whose batch can take minutes (polling: hundreds of feeds, a slow
    # server up to a minute each) and so must stop early when the worker is told to stop.
    stoppable: StoppableRun | None = None

    @property
    def short_name(self) -> str:
        """The name without its app: what an operator types (`worker --jobs poll`)."""
        return self.name.rpartition(".")[2]

    def run_until(self, now: datetime, stopping: Callable[[], bool]) -> int:
        """One batch; a stoppable job ends it early once `stopping()` says so."""
        if self.stoppable is not None:
            return self.stoppable(now, stop_when=stopping)
        return self.run(now)


_REGISTRY: dict[str, Job] = {}


def register(name: str, run: Callable[[datetime], int], *, help: str) -> None:
    _add(Job(name=name, run=run, help=help))


def register_stoppable(name: str, run: StoppableRun, *, help: str) -> None:
    """Registers a job whose batch ends early when the worker is told to stop (`run_until`)."""
    _add(Job(name=name, run=lambda now: run(now, stop_when=_never), help=help, stoppable=run))


def _never() -> bool:
    return False


def _add(job: Job) -> None:
    registered = _REGISTRY.get(job.name)
    if registered is not None and (registered.stoppable or registered.run) is not (
        job.stoppable or job.run
    ):
        raise ValueError(f"a different job is already registered as {job.name!r}")
    _REGISTRY[job.name] = job


def registered() -> tuple[Job, ...]:
    return tuple(_REGISTRY.values())


class UnknownJob(ValueError):
    """An operator named a job nobody registered."""


def select(names: Iterable[str]) -> tuple[Job, ...]:
    """The registered jobs named, in registration order; a name is a job's full name
    (`wire.poll`) or its short one (`poll`). Raises UnknownJob naming the ones there are."""
    wanted = {name.strip() for name in names if name.strip()}
    jobs = registered()
    unknown = wanted - {job.name for job in jobs} - {job.short_name for job in jobs}
    if unknown or not wanted:
        known = ", ".join(job.short_name for job in jobs)
        raise UnknownJob(f"no such job: {', '.join(sorted(unknown)) or '(none named)'}; "
                         f"the jobs are: {known}")  # fmt: skip
    return tuple(job for job in jobs if {job.name, job.short_name} & wanted)


def run_batch(job: Job, now: datetime, stopping: Callable[[], bool]) -> int:
    """One batch of `job`; returns how many items it handled, 0 when it failed.

    A job's failure must not stop the others: it is logged with its traceback for the operator
    and retried on the next tick."""
    try:
        handled = job.run_until(now, stopping)
    except Exception:
        logger.exception("job %s failed", job.name)
        return 0
    if handled:
        logger.info("job %s handled %d", job.name, handled)
    return handled


def keep_running(
    job: Job,
    stopping: Callable[[], bool],
    *,
    tick: float,
    clock: Callable[[], datetime],
) -> None:
    """A job's own loop, for a thread of its own: batch after batch while it finds work, a sleep
    of `tick` seconds when it finds none, until `stopping()`. `clock` gives each batch's time."""
    try:
        while not stopping():
            # Django does this around each request: drops a connection the database closed (a
            # restarted PostgreSQL) or past its age, so the next batch opens a fresh one.
            close_old_connections()
            try:
                now = clock()
            except Exception:
                logger.exception("job %s could not tell the time (its clock failed)", job.name)
                now = None
            if now is None or run_batch(job, now, stopping) == 0:
                idle(tick, stopping)
    finally:
        connections.close_all()  # this thread's own


def idle(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleeps `seconds`, or less as soon as `stopping()` says so (within IDLE_STEP_SECONDS).

    In short sleeps, checking the flag between them: one long sleep interrupted by the signal
    resumes for the rest of the tick (PEP 475), so stopping an idle process waited out the whole
    tick. (An Event set from the signal handler could deadlock on its own lock if the signal
    came while the main thread held it.)
    """
    deadline = time.monotonic() + seconds
    while not stopping():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, IDLE_STEP_SECONDS))
