"""Retention: old articles nobody needs are deleted, so a small server's database stays bounded.

The wire cannot know who needs an article: the apps above it do (a post citing it, an open story
grouping it). So the wire declares this extension point: an app registers a *keeper* from its
`AppConfig.ready()`, a function returning a queryset of the article ids it needs, and pruning
deletes only articles older than the retention age that no keeper returns.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction

from dateline.wire.models import Article

# Returns a queryset of article ids (`.values("article_id")` or `.values_list("id")`).
Keeper = Callable[[], models.QuerySet]

_KEEPERS: dict[str, Keeper] = {}
BATCH = 500


def register_keeper(name: str, keeper: Keeper) -> None:
    """Declares that the articles `keeper()` names must not be pruned (`name`: for messages)."""
    if name in _KEEPERS and _KEEPERS[name] is not keeper:
        raise ValueError(f"a different article keeper is already registered as {name!r}")
    _KEEPERS[name] = keeper


def keepers() -> tuple[str, ...]:
    return tuple(_KEEPERS)


def prunable(now: datetime, *, age: timedelta) -> models.QuerySet[Article]:
    """Articles fetched before `now - age` that no keeper needs."""
    old = Article.objects.filter(fetched_at__lt=now - age)
    for keeper in _KEEPERS.values():
        old = old.exclude(id__in=keeper())
    return old


def prune(now: datetime, *, age: timedelta | None = None, batch: int = BATCH) -> int:
    """Deletes one batch of prunable articles (their sightings go with them); returns how many.

    A batch at a time, each in its own short transaction, so the web and the poller are never
    held up by one long delete. Returns 0 when retention is off or nothing is left to prune.
    """
    if age is None:
        if settings.ARTICLE_RETENTION_DAYS <= 0:
            return 0
        age = timedelta(days=settings.ARTICLE_RETENTION_DAYS)
    with transaction.atomic():
        ids = list(prunable(now, age=age).order_by("id").values_list("id", flat=True)[:batch])
        if ids:
            # The keepers are asked again in the delete itself: a post may have cited one of
            # these articles since they were picked.
            prunable(now, age=age).filter(id__in=ids).delete()
    return len(ids)


class PruneJob:
    """The worker's pruning job: batch after batch while there is a backlog, then hourly.

    The worker calls every job each few seconds; asking the keepers that often would cost more
    than the rows it saves.
    """

    def __init__(self, every: timedelta = timedelta(hours=1)) -> None:
        self.every = every
        self._next: datetime | None = None

    def __call__(self, now: datetime) -> int:
        if self._next is not None and now < self._next:
            return 0
        deleted = prune(now)
        if deleted < BATCH:
            self._next = now + self.every
        return deleted
