"""Background jobs: what `dateline worker` runs.

Apps register their periodic work here from `AppConfig.ready()` (wire: poll due feeds; stories:
cluster new articles; blog: publish scheduled posts). The worker knows no app: it runs whatever is
registered. A job claims the rows it works on (see `claims.py`), so any number of workers on any
number of machines can run the same jobs against one PostgreSQL database without doing anything
twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


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
