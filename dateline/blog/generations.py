"""Page generations: which cached pages are still true, known without a database read.

A generation is a number with a name, bumped in the database in the same transaction as the
change it stands for (`bump`). Three kinds of name:

  site            every page (an import, a setting shown everywhere)
  listings        the pages that list posts: home, labels, archives, feeds, sitemap
  post:<slug>     one post's page

A cached page stores the generations it was rendered under; it is served while they are still
current (`current`). The database is the truth; the shared cache (DATELINE_CACHE_URL) holds a
copy so that a cached hit reads no database:

- a writer deletes the copies when it bumps (so its own process re-reads the database until it
  commits) and sets them from the database after its commit, then reads the database again and
  sets them again if another writer committed meanwhile: the last copy written is never older
  than the last commit;
- a reader that finds no copy (first use, eviction, a cache restart) reads the database and
  adds the copy only where none appeared meanwhile (an atomic add: SQLite's INSERT OR IGNORE,
  Redis's SET NX), so a writer's copy published after that read always wins.

So once a writing call has returned, no process that shares the cache serves a page older than
its change (decision 0066 states the one narrow exception).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dateline.blog.models import PageGeneration

SITE = "site"
LISTINGS = "listings"
CACHE_ALIAS = "default"
# Before any change was recorded: an arbitrary fixed time, so Last-Modified stays stable.
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
_PUBLISH_ROUNDS = 5

# (value, changed_at as a POSIX timestamp)
Token = tuple[int, float]


def post_page(slug: str) -> str:
    return f"post:{slug}"


def cache_key(name: str) -> str:
    # Slugs may be long and non-ASCII: a fixed-size key suits every backend.
    return "gen:" + hashlib.blake2b(name.encode(), digest_size=12).hexdigest()


def current(names: Sequence[str]) -> tuple[Token, ...]:
    """The current token of each name, from the shared cache; the database only when the cache
    has lost one."""
    cache = caches[CACHE_ALIAS]
    keys = [cache_key(name) for name in names]
    found = cache.get_many(keys)
    if len(found) == len(keys):
        return tuple(found[key] for key in keys)
    missing = [name for name, key in zip(names, keys, strict=True) if key not in found]
    read = _from_database(missing)
    for name in missing:
        # Added only where no copy is: a writer that committed after our read has published
        # its copy either before this (ours is refused) or after (it overwrites ours).
        cache.add(cache_key(name), read[name], None)
    found.update({cache_key(name): read[name] for name in missing})
    return tuple(found[key] for key in keys)


def bump(names: Iterable[str]) -> None:
    """Marks the pages under `names` as changed; call inside the transaction of the change."""
    wanted = sorted(set(names))
    if not wanted:
        return
    now = timezone.now()
    PageGeneration.objects.bulk_create(
        [PageGeneration(name=name, value=0, changed_at=now) for name in wanted],
        ignore_conflicts=True,
    )
    PageGeneration.objects.filter(name__in=wanted).update(value=F("value") + 1, changed_at=now)
    # Until the commit, this process (and any that lost its copy) reads the database, which
    # shows this connection its own change; after it, everyone reads the new copy.
    caches[CACHE_ALIAS].delete_many([cache_key(name) for name in wanted])
    transaction.on_commit(lambda: _publish(wanted))


def database_token(name: str) -> Token:
    return _from_database([name])[name]


def _from_database(names: Sequence[str]) -> dict[str, Token]:
    rows = {
        name: (int(value), changed_at.timestamp())
        for name, value, changed_at in PageGeneration.objects.filter(name__in=names).values_list(
            "name", "value", "changed_at"
        )
    }
    return {name: rows.get(name, (0, BEGINNING)) for name in names}


def _publish(names: Sequence[str]) -> None:
    """Copies the committed numbers into the cache until a fresh read agrees with the copy."""
    cache = caches[CACHE_ALIAS]
    pending = list(names)
    values = _from_database(pending)
    for _round in range(_PUBLISH_ROUNDS):
        cache.set_many({cache_key(name): values[name] for name in pending}, None)
        again = _from_database(pending)
        pending = [name for name in pending if again[name] != values[name]]
        if not pending:
            return
        values = again
    # Writers kept committing: leave no copy, so readers go to the database.
    cache.delete_many([cache_key(name) for name in pending])
