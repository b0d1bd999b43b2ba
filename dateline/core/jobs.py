"""Background jobs: what `dateline worker` runs.

Apps register their periodic work here from `AppConfig.ready()` (wire: poll due feeds; stories:
cluster new articles; blog: publish scheduled posts). The worker knows no app: it runs whatever is
registered. A job claims the rows it works on (see `claims.py`), so any number of workers on any
number of machines can run the same jobs against one PostgreSQL database without doing anything
twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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
