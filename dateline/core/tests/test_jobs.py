"""The worker's job registry: plain jobs run as before, stoppable ones are handed the stop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from dateline.core import jobs

NOW = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


def test_a_plain_job_runs_its_whole_batch_whatever_the_stop():
    job = jobs.Job(name="t.plain", run=lambda now: 7, help="")
    assert job.run_until(NOW, lambda: True) == 7


def test_a_stoppable_job_is_handed_the_workers_stop():
    asked: list[bool] = []

    def batch(now: datetime, *, stop_when: Callable[[], bool]) -> int:
        asked.append(stop_when())
        return 0 if stop_when() else 3

    job = jobs.Job(name="t.stoppable", run=lambda now: batch(now, stop_when=lambda: False),
                   help="", stoppable=batch)  # fmt: skip
    assert job.run_until(NOW, lambda: True) == 0
    assert job.run_until(NOW, lambda: False) == 3
    assert asked == [True, False]
