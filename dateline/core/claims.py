"""Row claims: how several workers share work without doing an item twice.

A claimable table has a nullable `claimed_until` datetime column. `claim()` picks due rows whose
claim is absent or expired, marks them claimed for a lease, and returns their keys, all in one
transaction:

- On PostgreSQL the pick is `SELECT ... FOR UPDATE SKIP LOCKED`: concurrent workers skip the rows
  another one is claiming instead of waiting on them.
- On SQLite there is one writer at a time: the transaction starts IMMEDIATE (see
  `config.sqlite_database`), so a second worker's claim waits and then sees the first one's leases.

A worker that dies mid-batch simply lets its leases expire; the rows become due again, so nothing
is lost. Finishing an item must clear or move on its due marker in the same transaction that writes
its result, so nothing is done twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models, transaction


def claim(
    queryset: models.QuerySet, *, now: datetime, lease: timedelta, limit: int
) -> list[object]:
    with transaction.atomic(using=queryset.db):
        free = models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        keys = list(
            queryset.filter(free)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if keys:
            queryset.model._default_manager.using(queryset.db).filter(pk__in=keys).update(
                claimed_until=now + lease
            )
    return keys


def renew(model: type[models.Model], keys: list[object], *, until: datetime) -> None:
    """Extends claims still being worked on, for work that can outlast its first lease."""
    model._default_manager.filter(pk__in=keys).update(claimed_until=until)


def release(model: type[models.Model], keys: list[object]) -> None:
    """Gives claimed rows back early (the work is done or was abandoned cleanly)."""
    model._default_manager.filter(pk__in=keys).update(claimed_until=None)
