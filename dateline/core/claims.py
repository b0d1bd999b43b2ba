"""Row claims: how several workers share work without doing an item twice.

A claimable table has a nullable `claimed_until` datetime column. `claim()` picks due rows whose
claim is absent or expired, marks them claimed for a lease, and returns their keys, all in one
transaction:

- On PostgreSQL the pick is `SELECT ... FOR UPDATE SKIP LOCKED`: concurrent workers skip the rows
  another one is claiming instead of waiting on them.
- On SQLite there is one writer at a time: the transaction starts IMMEDIATE (see
  `config.sqlite_database`), so a second worker's claim waits and then sees the first one's leases.

Leases are set, renewed and compared by the database's clock, never a worker's: with several
machines whose clocks disagree by a minute, a worker ahead would otherwise take rows another still
holds (docs/decisions/0063). Which rows are *due* is the caller's query; the worker asks the
database for the time too (`database_now`), so that is one clock as well.

A worker that dies mid-batch simply lets its leases expire; the rows become due again, so nothing
is lost. Finishing an item must clear or move on its due marker in the same transaction that writes
its result, so nothing is done twice. Work that can outlast its lease renews it (`renew`,
`Renewal`) while in hand.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.functions import Now

logger = logging.getLogger("dateline.claims")


def claim(queryset: models.QuerySet, *, lease: timedelta, limit: int) -> list[object]:
    """Claims up to `limit` rows of `queryset` that no live lease holds, for `lease`."""
    with transaction.atomic(using=queryset.db):
        free = models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=Now())
        keys = list(
            queryset.filter(free)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if keys:
            queryset.model._default_manager.using(queryset.db).filter(pk__in=keys).update(
                claimed_until=Now() + lease
            )
    return keys


def renew(model: type[models.Model], keys: Iterable[object], *, lease: timedelta) -> None:
    """Extends claims still being worked on, for work that can outlast its first lease.

    Only rows still claimed: an item finished meanwhile cleared its claim and stays free."""
    model._default_manager.filter(pk__in=list(keys), claimed_until__isnull=False).update(
        claimed_until=Now() + lease
    )


def release(model: type[models.Model], keys: list[object]) -> None:
    """Gives claimed rows back early (the work is done or was abandoned cleanly)."""
    model._default_manager.filter(pk__in=keys).update(claimed_until=None)


class Renewal:
    """Keeps a batch's claims alive while it is in hand: `tick()`, called often, renews them once
    a third of the lease has passed since the last renewal, so a tick late by a whole third still
    finds them held."""

    def __init__(self, model: type[models.Model], keys: Iterable[object], lease: timedelta) -> None:
        self._model = model
        self._keys = list(keys)
        self._lease = lease
        self._every = lease.total_seconds() / 3
        self._next = time.monotonic() + self._every

    def tick(self) -> None:
        if time.monotonic() < self._next:
            return
        try:
            renew(self._model, self._keys, lease=self._lease)
        except Exception:
            # The batch goes on (its work is not lost if the claims run out: at worst another
            # worker does an item again); tried again soon, while the leases still hold.
            logger.exception("renewing %d claims on %s failed", len(self._keys),
                             self._model._meta.label)  # fmt: skip
            self._next = time.monotonic() + self._every / 10
            return
        self._next = time.monotonic() + self._every


# The current time, as the database's clock gives it (Django's `Now()` in a SELECT).
_NOW_SQL = {
    "postgresql": "SELECT STATEMENT_TIMESTAMP()",
    "sqlite": "SELECT STRFTIME('%Y-%m-%d %H:%M:%f', 'now')",
}


def database_now(using: str = DEFAULT_DB_ALIAS) -> datetime:
    """The database's clock: the one time every worker on every machine agrees on."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_NOW_SQL[connection.vendor])
        (value,) = cursor.fetchone()
    if isinstance(value, str):  # SQLite: UTC, as text
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
