"""The store stage of polling: one feed's answer becomes articles, sightings and feed state.

`record_answer()` parses outside any transaction, asks `domain.decide` what changed, then
writes the articles, the sightings and the feed's new state (validators, health, next poll,
claim released) in ONE short transaction. A worker killed before the commit leaves nothing
behind and its claim expires, so the feed is polled again; killed after it, the feed is done.
Either way nothing is lost and, because sightings are unique per feed and key, nothing is
stored twice.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import overload

from django.db import IntegrityError, transaction

from dateline.core.safehttp import FetchResult
from dateline.core.urls import web_link
from dateline.wire.domain import schedule
from dateline.wire.domain.decide import (
    Candidate,
    ChangedArticle,
    Known,
    Memory,
    Plan,
    Ref,
    decide,
)
from dateline.wire.exceptions import ParseError
from dateline.wire.models import Article, Feed, FullTextStatus, KnownArticle, Sighting
from dateline.wire.pipeline.fetch import Answer
from dateline.wire.pipeline.parse import Document, read_document, sanitised
from dateline.wire.signals import article_ingested

logger = logging.getLogger("dateline.wire.poll")
_rng = random.Random()


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed_id: int
    url: str
    status: int | None  # the HTTP status, None when no answer came
    new: int = 0
    changed: int = 0
    seen: int = 0  # new sightings of articles already stored (another feed's, or a changed GUID)
    error: str = ""


# --- answers -> feed state -------------------------------------------------------------------


class StateBatch:
    """Feed rows whose new state (health, schedule, claim released) waits to be written together.

    Most answers of a cycle change nothing but their feed's own row: a 304, an error, the same
    bytes again. Writing those one transaction each costs a commit per feed; a batch writes up
    to `size` of them in one UPDATE. A worker killed before `flush()` leaves those feeds claimed
    until the lease runs out and then polls them again: nothing was learnt from them that a
    second poll does not learn again, so nothing is lost.
    """

    def __init__(self, size: int = 200) -> None:
        self.size = size
        # Grouped by the fields they changed: a row is written only where its answer changed it.
        self._groups: dict[tuple[str, ...], dict[int, Feed]] = {}
        self._count = 0

    def add(self, feed: Feed, fields: list[str]) -> None:
        self._groups.setdefault(tuple(sorted(fields)), {})[feed.pk] = feed
        self._count += 1
        if self._count >= self.size:
            self.flush()

    def flush(self) -> None:
        groups, self._groups, self._count = self._groups, {}, 0
        if not groups:
            return
        with transaction.atomic():
            for fields, feeds in groups.items():
                Feed.objects.save_fields(list(feeds.values()), fields)


def _save(feed: Feed, fields: list[str], batch: StateBatch | None) -> None:
    if batch is None:
        feed.save(update_fields=fields)
    else:
        batch.add(feed, fields)


@dataclass(frozen=True, slots=True)
class NeedsParsing:
    """A 200 answer with a body not seen before: parse it, then `record_document`."""

    feed: Feed
    result: FetchResult
    body_hash: str


@dataclass(frozen=True, slots=True)
class NeedsSanitising:
    """A parsed answer whose new or changed entries still hold the feed's own HTML.

    Nothing was written. Sanitise `document`'s candidates at `positions` (in a parse worker),
    put them back with `Document.with_candidates`, and `record_document` again with `memory`:
    what the database held that they match, so it is not looked up a second time.
    """

    job: NeedsParsing
    document: Document
    positions: tuple[int, ...]
    memory: Memory

    @property
    def candidates(self) -> list[Candidate]:
        return [self.document.candidates[i] for i in self.positions]


class _SanitiseFirst(Exception):
    """Raised inside the storing transaction, before any write, to hand sanitising back."""

    def __init__(self, candidates: tuple[Candidate, ...], memory: Memory) -> None:
        super().__init__()
        self.candidates = candidates
        self.memory = memory


class _StaleMemory(Exception):
    """Raised inside the storing transaction, before any write: an article to change is no
    longer as the memory the plan was made from says (another writer changed or removed it)."""


def triage(
    feed: Feed, answer: Answer, now: datetime, batch: StateBatch | None = None
) -> PollOutcome | NeedsParsing:
    """Stores every answer that needs no parsing (errors, 304, 410, same bytes as last time).

    With a `batch`, those feed rows are written when the batch is flushed, not one by one.
    """
    if answer.error is not None:
        return _record_failure(feed, now, status=None, error=str(answer.error), batch=batch)
    result = answer.result
    assert result is not None
    if result.status == 410:
        return _record_gone(feed, now, batch)
    if result.not_modified:
        return _record_unchanged(feed, result, now, batch)
    if not result.ok:
        return _record_failure(
            feed, now, status=result.status, error=f"HTTP {result.status}",
            headers=result.headers, batch=batch,
        )  # fmt: skip
    body_hash = hashlib.sha256(result.body).hexdigest()
    if body_hash == feed.body_hash:
        # Same bytes as last time from a server that ignores validators: nothing to parse.
        return _record_unchanged(feed, result, now, batch)
    return NeedsParsing(feed, result, body_hash)


def record_parse_error(job: NeedsParsing, error: ParseError, now: datetime) -> PollOutcome:
    return _record_failure(job.feed, now, status=job.result.status, error=str(error))


def record_answer(feed: Feed, answer: Answer, now: datetime) -> PollOutcome:
    """Stores what one fetch of `feed` produced, parsing in this process."""
    job = triage(feed, answer, now)
    if isinstance(job, PollOutcome):
        return job
    try:
        document = read_document(job.result.body, **parse_headers(job.result))
    except ParseError as error:
        return record_parse_error(job, error, now)
    return record_document(job, document, now)


def parse_headers(result: FetchResult) -> dict[str, str | None]:
    return {
        "content_type": result.header("content-type"),
        "content_location": result.header("content-location"),
        "base_url": result.url,
    }


def _release(feed: Feed, now: datetime, status: int | None) -> None:
    feed.claimed_until = None
    feed.last_fetched_at = now
    feed.last_status = status


def _record_failure(
    feed: Feed,
    now: datetime,
    *,
    status: int | None,
    error: str,
    headers: Mapping[str, str] | None = None,
    batch: StateBatch | None = None,
) -> PollOutcome:
    _release(feed, now, status)
    feed.error_count += 1
    feed.last_error = error[:2000]
    plan = schedule.next_poll(
        now, succeeded=False, error_count=feed.error_count, headers=headers, rng=_rng
    )
    feed.next_poll_at = plan.at
    _save(feed, _STATE_FIELDS, batch)
    logger.info("feed %s failed (%d in a row): %s", feed.url, feed.error_count, error)
    return PollOutcome(feed.id, feed.url, status, error=error)


def _record_gone(feed: Feed, now: datetime, batch: StateBatch | None = None) -> PollOutcome:
    _release(feed, now, 410)
    feed.active = False
    feed.stopped_reason = "HTTP 410 Gone: the publisher removed this feed"
    feed.next_poll_at = None
    _save(feed, [*_STATE_FIELDS, "active", "stopped_reason"], batch)
    return PollOutcome(feed.id, feed.url, 410, error=feed.stopped_reason)


def _record_unchanged(
    feed: Feed, result: FetchResult, now: datetime, batch: StateBatch | None = None
) -> PollOutcome:
    _succeeded(feed, result, now, previous=feed.poll_interval, entry_times=())
    fields = [*_STATE_FIELDS, *_SUCCESS_FIELDS]
    if result.permanent_url and result.permanent_url != feed.url:
        # A move is checked against the other feeds and written at once, not batched.
        with transaction.atomic():
            fields += _follow_permanent_redirect(feed, result)
            feed.save(update_fields=fields)
    else:
        _save(feed, fields, batch)
    return PollOutcome(feed.id, feed.url, result.status)


def _succeeded(
    feed: Feed,
    result: FetchResult,
    now: datetime,
    *,
    previous: timedelta | None,
    entry_times: tuple[datetime, ...],
) -> None:
    _release(feed, now, result.status)
    feed.error_count = 0
    feed.last_error = ""
    feed.last_success_at = now
    if result.header("etag") is not None or result.ok:
        feed.etag = (result.header("etag") or "")[:500]
    if result.header("last-modified") is not None or result.ok:
        feed.last_modified = (result.header("last-modified") or "")[:100]
    # The validators are the answer's at result.url, and go back there only. A URL too long for
    # the column keeps none: sent to another address they would be wrong.
    if len(result.url) > Feed.validators_url.field.max_length:
        feed.etag = feed.last_modified = feed.validators_url = ""
    else:
        feed.validators_url = result.url if feed.etag or feed.last_modified else ""
    plan = schedule.next_poll(
        now,
        succeeded=True,
        entry_times=entry_times,
        headers=result.headers,
        rng=_rng,
        previous=previous,
    )
    feed.next_poll_at = plan.at
    feed.poll_interval = plan.interval


def _follow_permanent_redirect(feed: Feed, result: FetchResult) -> list[str]:
    """On a 301/308 chain, poll the new URL from now on (unless another feed already does)."""
    target = result.permanent_url
    if not target or target == feed.url:
        return []
    if len(target) > Feed.url.field.max_length:
        # Longer than the column holds (PostgreSQL refuses it, and the whole answer with it):
        # keep polling the old URL, which still leads there.
        logger.info("feed %s moved permanently to a %d-character URL: not followed",
                    feed.url, len(target))  # fmt: skip
        return []
    if Feed.objects.filter(url=target).exclude(pk=feed.pk).exists():
        feed.active = False
        feed.stopped_reason = f"moved permanently to {target}, which another feed already polls"
        return ["active", "stopped_reason"]
    logger.info("feed %s moved permanently to %s", feed.url, target)
    feed.url = target
    return ["url"]


_STATE_FIELDS = ["claimed_until", "last_fetched_at", "last_status", "error_count", "last_error",
                 "next_poll_at"]  # fmt: skip
_SUCCESS_FIELDS = ["last_success_at", "etag", "last_modified", "validators_url", "poll_interval"]


# --- entries -> articles ----------------------------------------------------------------------


# Candidates looked up per query: three lists of this many stay far below SQLite's and
# PostgreSQL's limits on parameters, and a feed rarely has more entries.
_LOOKUP_CHUNK = 2000


def _memory(feed: Feed, candidates: list[Candidate]) -> Memory:
    """Everything stored that one of `candidates` could match: two queries, whatever the size.

    The feed's sightings of the candidates' keys, then every article one of them could be: one
    of those, one any feed stored under a candidate's canonical URL, or one of this feed's with
    a candidate's content hash, each marked with whether this feed saw it.
    """
    keys: dict[str, int] = {}
    found: dict[int, KnownArticle] = {}
    for start in range(0, len(candidates), _LOOKUP_CHUNK):
        chunk = candidates[start : start + _LOOKUP_CHUNK]
        chunk_keys = Sighting.objects.keys_of(feed, {c.key for c in chunk})
        keys.update(chunk_keys)
        for article in Article.objects.matching(
            feed,
            ids=set(chunk_keys.values()),
            canonical_urls={c.canonical_url for c in chunk if c.canonical_url},
            content_hashes={c.content_hash for c in chunk},
        ):
            found[article.id] = article
    rows = [found[key] for key in sorted(found)]
    return Memory(
        keys=keys,
        links={a.canonical_url: a.id for a in rows if a.canonical_url and a.seen_by_feed},
        hashes={a.content_hash: a.id for a in rows if a.seen_by_feed},
        canonical={a.canonical_url: a.id for a in rows if a.canonical_url},
        articles={a.id: Known(a.id, a.title, a.content_hash, a.earlier_titles) for a in rows},
    )


@overload
def record_document(
    job: NeedsParsing, document: Document, now: datetime, *, memory: Memory | None = None
) -> PollOutcome: ...


@overload
def record_document(
    job: NeedsParsing,
    document: Document,
    now: datetime,
    *,
    sanitise_here: bool,
    memory: Memory | None = None,
) -> PollOutcome | NeedsSanitising: ...


def record_document(
    job: NeedsParsing,
    document: Document,
    now: datetime,
    *,
    sanitise_here: bool = True,
    memory: Memory | None = None,
) -> PollOutcome | NeedsSanitising:
    """Stores a parsed answer: its entries and the feed's new state, in one transaction.

    Entries to write that still hold the feed's HTML are sanitised here, or, unless
    `sanitise_here`, handed back as NeedsSanitising so a parse worker can do it. `memory` is a
    NeedsSanitising's: what the first attempt found stored (see `store_entries`).
    """
    feed, result, body_hash = job.feed, job.result, job.body_hash
    entry_times = tuple(c.published_at for c in document.candidates if c.published_at is not None)

    def feed_state() -> list[str]:
        _succeeded(feed, result, now, previous=None, entry_times=entry_times)
        if not document.candidates and document.warnings:
            # The parser read nothing and said why (malformed XML it could not recover): show
            # the editor, and keep no body hash so the same bytes are read again next time.
            feed.last_error = f"no entries could be read: {document.warnings[0]}"[:2000]
            feed.body_hash = ""
        else:
            feed.body_hash = body_hash
        feed.entries_per_day = schedule.entries_per_day(entry_times, now)
        fields = [*_STATE_FIELDS, *_SUCCESS_FIELDS, "body_hash", "entries_per_day"]
        return fields + _follow_permanent_redirect(feed, result)

    try:
        plan = store_entries(
            feed, document, now, with_feed_state=feed_state, sanitise_here=sanitise_here,
            memory=memory,
        )  # fmt: skip
    except _SanitiseFirst as first:
        wanted = {id(candidate) for candidate in first.candidates}
        positions = tuple(i for i, c in enumerate(document.candidates) if id(c) in wanted)
        return NeedsSanitising(job, document, positions, first.memory)
    return PollOutcome(
        feed.id,
        feed.url,
        result.status,
        new=len(plan.new),
        changed=len(plan.changed),
        seen=sum(1 for s in plan.sightings if s.ref.stored is not None),
    )


def store_entries(
    feed: Feed,
    document: Document,
    now: datetime,
    *,
    with_feed_state: Callable[[], list[str]] | None = None,
    sanitise_here: bool = True,
    memory: Memory | None = None,
) -> Plan:
    """Stores a parsed document's entries for `feed` in one transaction and returns the plan.

    `with_feed_state` runs inside the same transaction and names the feed fields it changed, so
    the articles and the feed's new state commit together. Unless `sanitise_here`, a plan that
    would write text still holding feed HTML raises _SanitiseFirst before writing anything.

    `memory`, when given, is what an earlier attempt found stored for these candidates, before
    they went to be sanitised; the first attempt decides from it rather than look again.
    """
    candidates = list(document.candidates)
    language = (document.language or feed.outlet.language or "")[:35]
    # Two workers on PostgreSQL may store the same new article (two feeds carrying it) at once:
    # the loser's unique canonical_url fails, and its next attempt sees the winner's row. A
    # memory kept from before sanitising may be older still: what another writer stored since
    # fails the same constraints (new articles, sightings), and an article to change that is no
    # longer as remembered raises _StaleMemory; either way the next attempt looks again.
    for attempt in range(3):
        try:
            with transaction.atomic():
                known = memory if memory is not None else _memory(feed, candidates)
                memory = None
                plan = decide(candidates, known)
                if not sanitise_here:
                    raw = tuple(c for c in plan.written if c.raw_html)
                    if raw:
                        raise _SanitiseFirst(raw, known)
                plan = _settled(plan, known)
                _write_plan(feed, plan, language, now)
                fields = with_feed_state() if with_feed_state else []
                if document.title and not feed.title:
                    feed.title = document.title[:500]
                    fields.append("title")
                if fields:
                    feed.save(update_fields=fields)
            return plan
        except (IntegrityError, _StaleMemory):
            if attempt == 2:
                raise
            logger.info("feed %s: a concurrent writer stored an article first; retrying", feed.url)
    raise AssertionError("unreachable")


def _article_fields(candidate: Candidate) -> dict[str, object]:
    # Stored text is always sanitised; most arrives so from a parse worker, the rest is done here.
    candidate = sanitised(candidate)
    return {
        # Only a web address: a hostile feed's `javascript:` or `data:` link would run in the
        # reader's browser, a relative one would point into Dateline itself. The link still
        # identifies the entry within its feed (Candidate.key), so nothing is stored twice.
        "url": web_link(candidate.link)[:2000],
        "title": candidate.title,
        "summary": candidate.summary,
        "content": candidate.content,
        "content_hash": candidate.content_hash,
        "published_at": candidate.published_at,
        "updated_at": candidate.updated_at,
    }


# What a change must alter for its article to count as changed (and be rewritten).
_TEXT_FIELDS = ("url", "title", "summary", "content")


def _settled(plan: Plan, memory: Memory) -> Plan:
    """`plan` with its changed articles' entries sanitised, and those whose stored text would
    stay the same left out of `changed` (their new hash is kept, nothing else is written).

    The stored texts are read for the changed articles only, which a poll rarely has. Raises
    _StaleMemory when one of them is gone or no longer has the hash `memory` says it has.
    """
    if not plan.changed:
        return plan
    changes = tuple(replace(c, candidate=sanitised(c.candidate)) for c in plan.changed)
    rows = list(
        Article.objects.filter(pk__in=[c.article_id for c in changes]).values_list(
            "pk", "content_hash", *_TEXT_FIELDS
        )
    )
    stored = {row[0]: row[2:] for row in rows}
    for row in rows:
        if row[1] != memory.articles[row[0]].content_hash:
            raise _StaleMemory
    if len(stored) < len(changes):
        raise _StaleMemory

    def stored_text_same(change: ChangedArticle) -> bool:
        fields = _article_fields(change.candidate)
        return stored.get(change.article_id) == tuple(fields[name] for name in _TEXT_FIELDS)

    return replace(plan, changed=changes).settled(stored_text_same)


def _write_plan(feed: Feed, plan: Plan, language: str, now: datetime) -> None:
    first_key: dict[int, str] = {}
    for sighting in plan.sightings:
        if sighting.ref.pending is not None:
            first_key.setdefault(sighting.ref.pending, sighting.key)
    full_text = FullTextStatus.PENDING if feed.fetch_full_text else FullTextStatus.NOT_WANTED
    created = Article.objects.bulk_create(
        [
            Article(
                outlet_id=feed.outlet_id,
                feed=feed,
                guid=first_key[index],
                canonical_url=_storable(new.candidate.canonical_url),
                language=language,
                full_text_status=full_text,
                **_article_fields(new.candidate),
            )
            for index, new in enumerate(plan.new)
        ]
    )
    for change in plan.changed:
        Article.objects.filter(pk=change.article_id).update(
            earlier_titles=list(change.earlier_titles), changed_at=now,
            **_article_fields(change.candidate),
        )  # fmt: skip
    for rehashed in plan.rehashed:
        Article.objects.filter(pk=rehashed.article_id).update(content_hash=rehashed.content_hash)

    def article_id(ref: Ref) -> int:
        if ref.stored is not None:
            return ref.stored
        assert ref.pending is not None
        return int(created[ref.pending].pk)

    Sighting.objects.add_many(feed, now, [(article_id(s.ref), s.key) for s in plan.sightings])
    if created and article_ingested.has_listeners(Article):
        transaction.on_commit(
            lambda: [article_ingested.send(Article, article=article) for article in created]
        )


def _storable(canonical: str | None) -> str | None:
    # Longer keys (rare) are left out of cross-feed dedupe rather than overflow the index.
    return canonical if canonical and len(canonical) <= 1000 else None
