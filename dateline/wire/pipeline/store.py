"""The store stage of polling: one feed's answer becomes articles, sightings and feed state.

Most answers need no parsing (an error, a 304, a 410, the same bytes as last time): `triage`
records their feed's new state, in batches. The others (`NewBody`) are parsed and decided
outside any transaction; `record_document` then writes the articles, the sightings and the
feed's new state (validators, health, next poll, claim released) in ONE short transaction,
which first checks that what the decision was made from still holds. A worker killed before the
commit leaves nothing behind and its claim expires, so the feed is polled again; killed after
it, the feed is done. Either way nothing is lost and, because sightings are unique per feed and
key, nothing is stored twice.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from dateline.core.safehttp import FetchResult
from dateline.core.urls import web_link
from dateline.wire.domain import schedule
from dateline.wire.domain.decide import Candidate, ChangedArticle, Memory, Plan, Ref
from dateline.wire.models import Article, Feed, FullTextStatus, Sighting
from dateline.wire.pipeline.decide import Decision, decide_document
from dateline.wire.pipeline.fetch import Answer
from dateline.wire.pipeline.parse import Document, sanitised
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
class NewBody:
    """A 200 answer with a body not seen before: parse it, decide, then `record_document`."""

    feed: Feed
    result: FetchResult
    body_hash: str


def triage(
    feed: Feed, answer: Answer, now: datetime, batch: StateBatch | None = None
) -> PollOutcome | NewBody:
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
    return NewBody(feed, result, body_hash)


def record_parse_error(body: NewBody, reason: str, now: datetime) -> PollOutcome:
    return _record_failure(body.feed, now, status=body.result.status, error=reason)


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

# Writing a decision is tried this many times: each time another writer got there first (two
# feeds carrying one new article, stored by two workers at once), it is decided again.
ATTEMPTS = 3


def record_document(body: NewBody, decision: Decision, now: datetime) -> PollOutcome:
    """Stores a parsed answer: its entries and the feed's new state, in one transaction."""
    feed, result = body.feed, body.result
    plan = store(feed, decision, now, new_body=body)
    if plan is None:
        # Nothing was written and the feed keeps its claim: polled again when the lease ends.
        logger.warning("feed %s: other writers kept storing the same articles", feed.url)
        return PollOutcome(feed.id, feed.url, None, error="internal error while storing")
    return PollOutcome(
        feed.id,
        feed.url,
        result.status,
        new=len(plan.new),
        changed=len(plan.changed),
        seen=sum(1 for s in plan.sightings if s.ref.stored is not None),
    )


def store(
    feed: Feed, decision: Decision, now: datetime, *, new_body: NewBody | None = None
) -> Plan | None:
    """Writes `decision` for `feed` in one transaction and returns the plan it wrote; with
    `new_body`, the answer it came from, the feed's new state commits with it.

    The decision was made outside the transaction, so another writer may have stored an
    article since (two workers on PostgreSQL, two feeds carrying one new article): then it is
    decided again from what is stored now and tried again. None when every attempt lost;
    nothing was written then.
    """
    for attempt in range(ATTEMPTS):
        if attempt > 0:
            logger.info("feed %s: a concurrent writer stored an article first; retrying", feed.url)
            decision = decide_document(feed, decision.document)
        plan = _write(feed, decision, now, new_body)
        if plan is not None:
            return plan
    return None


def _write(feed: Feed, decision: Decision, now: datetime, new_body: NewBody | None) -> Plan | None:
    """One attempt: the plan written, or None (nothing written) when what it was decided from
    no longer holds."""
    document = decision.document
    language = (document.language or feed.outlet.language or "")[:35]
    try:
        with transaction.atomic():
            plan = _settled(decision.plan, decision.memory)
            if plan is None:
                return None  # nothing written yet: the transaction ends empty
            _write_plan(feed, plan, language, now)
            fields = _feed_state(feed, new_body, document, now) if new_body else []
            if document.title and not feed.title:
                feed.title = document.title[:500]
                fields.append("title")
            if fields:
                feed.save(update_fields=fields)
    except IntegrityError:
        # Another writer's new article or sighting came first (unique constraints): rolled back.
        return None
    return plan


def _feed_state(feed: Feed, body: NewBody, document: Document, now: datetime) -> list[str]:
    """The feed's state after a parsed 200 answer; names the fields it changed."""
    result = body.result
    entry_times = tuple(c.published_at for c in document.candidates if c.published_at is not None)
    _succeeded(feed, result, now, previous=None, entry_times=entry_times)
    if not document.candidates and not document.well_formed and document.warnings:
        # The parser read nothing and said why (malformed XML it could not recover): show
        # the editor, and keep no body hash so the same bytes are read again next time.
        feed.last_error = f"no entries could be read: {document.warnings[0]}"[:2000]
        feed.body_hash = ""
    else:
        feed.body_hash = body.body_hash
    feed.entries_per_day = schedule.entries_per_day(entry_times, now)
    fields = [*_STATE_FIELDS, *_SUCCESS_FIELDS, "body_hash", "entries_per_day"]
    return fields + _follow_permanent_redirect(feed, result)


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


def _settled(plan: Plan, memory: Memory) -> Plan | None:
    """`plan` with its changed articles' entries sanitised, and those whose stored text would
    stay the same left out of `changed` (their new hash is kept, nothing else is written).

    The stored texts are read for the changed articles only, which a poll rarely has. None
    when one of them is gone or no longer has the hash `memory` says it has (another writer
    changed it since the decision).
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
    if len(stored) < len(changes):
        return None
    if any(row[1] != memory.articles[row[0]].content_hash for row in rows):
        return None

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
