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

# How soon an idle worker or poller notices it was asked to stop.
IDLE_STEP_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    # Does one batch of work due at `now`; returns how many items it handled (0 = nothing to do).
    run: Callable[[datetime], int]
    help: str


_REGISTRY: dict[str, Job] = {}


def register(name: str, run: Callable[[datetime], int], *, help: str) -> None:
    if name in _REGISTRY and _REGISTRY[name].run is not run:
        raise ValueError(f"a different job is already registered as {name!r}")
    _REGISTRY[name] = Job(name=name, run=run, help=help)


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
