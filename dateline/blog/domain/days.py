"""Grouping posts under day headers in the site's time zone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Day(Generic[T]):
    day: date
    items: tuple[T, ...]


def group_by_day(
    items: Iterable[T], when: Callable[[T], datetime], zone: tzinfo
) -> tuple[Day[T], ...]:
    """Consecutive items that fall on the same local day, in the order given.

    `when` must return aware datetimes; the day is taken in `zone`, so a post published at
    23:30 UTC lands on the next day for a site in Asia/Baghdad.
    """
    days: list[Day[T]] = []
    current: list[T] = []
    current_day: date | None = None
    for item in items:
        moment = when(item)
        if moment.tzinfo is None:
            raise ValueError("group_by_day needs aware datetimes")
        local_day = moment.astimezone(zone).date()
        if local_day != current_day and current:
            days.append(Day(current_day, tuple(current)))  # type: ignore[arg-type]
            current = []
        current_day = local_day
        current.append(item)
    if current:
        days.append(Day(current_day, tuple(current)))  # type: ignore[arg-type]
    return tuple(days)
