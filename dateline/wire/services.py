"""The wire's public commands: feeds in, articles out.

Polling is a pipeline with I/O at the ends (`wire/pipeline/`): claim due feeds -> fetch them
concurrently (`fetch`, no database) -> parse (`parse`, a process pool) -> decide what to write
on the feed's raw text (`decide`, no transaction) -> sanitise what will be written -> write
each feed's result in one short transaction (`store`); `cycle.PollCycle` takes a batch through
it. Other apps and the management commands use only the functions here (an import-linter
contract holds it).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dateline.core import claims
from dateline.core.safehttp import FetchError, FetchPolicy, Resolver
from dateline.core.safehttp import fetch as fetch_url
from dateline.core.urls import InvalidURL, canonical_url
from dateline.wire import clipping, fulltext
from dateline.wire.adapters.feeds import MAX_FEED_BYTES, parse_feed
from dateline.wire.domain.discover import DiscoveredFeed, discover_feeds
from dateline.wire.domain.opml import Subscription, parse_opml, write_opml
from dateline.wire.exceptions import FeedNotFound, ParseError, WireError, WriteConflict
from dateline.wire.models import Article, Feed, Outlet
from dateline.wire.pipeline import store
from dateline.wire.pipeline.cycle import PollCycle, Progress
from dateline.wire.pipeline.decide import decide_document
from dateline.wire.pipeline.fetch import DEFAULT_LIMITS, PollLimits, fetch_all
from dateline.wire.pipeline.parse import (
    POOL_THRESHOLD,
    ParsePool,
    plain_title,
    read_document,
    shared_pool,
)
from dateline.wire.pipeline.store import PollOutcome

logger = logging.getLogger("dateline.wire")

# A worker holds a claimed feed this long at most; a killed worker's feeds come due again after.
CLAIM_LEASE = timedelta(minutes=10)
BATCH_SIZE = 500


def fetch_policy() -> FetchPolicy:
    return FetchPolicy(allow_loopback=settings.FETCH_ALLOW_LOOPBACK)


# --- outlets and feeds ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: int
    updated: int
    warnings: tuple[str, ...]


def add_feed(
    *,
    url: str,
    outlet_name: str,
    home_url: str = "",
    country: str = "",
    language: str = "",
    title: str = "",
    labels: Iterable[str] = (),
) -> Feed:
    """Adds a feed URL (and its outlet, found by name) unless it is already followed."""
    outlet, _ = Outlet.objects.get_or_create(
        name=outlet_name[:200],
        defaults={"home_url": home_url, "country": country.upper(), "language": language},
    )
    feed, created = Feed.objects.get_or_create(
        url=url, defaults={"outlet": outlet, "title": title[:500], "labels": list(labels)}
    )
    if not created and labels:
        merged = list(dict.fromkeys([*feed.labels, *labels]))
        if merged != feed.labels:
            feed.labels = merged
            feed.save(update_fields=["labels"])
    return feed


@dataclass(frozen=True, slots=True)
class Added:
    feed: Feed
    # Other feeds the page named, when a site URL was given.
    alternatives: tuple[DiscoveredFeed, ...] = ()


def add_from_url(url: str, *, outlet_name: str = "", resolve: Resolver | None = None) -> Added:
    """Adds a feed from a feed URL, or from a site URL by discovering the feeds its page names.

    Raises a FetchError when the URL cannot be fetched safely, WireError when neither it nor
    anything it links to is a feed.
    """
    try:
        canonical_url(url)
    except InvalidURL as error:
        raise WireError(f"not a web address: {url!r}") from error
    policy = fetch_policy()
    result = fetch_url(url, policy=policy, resolve=resolve).raise_for_status()
    try:
        parsed = parse_feed(result.body, content_type=result.header("content-type"),
                            base_url=result.url)  # fmt: skip
        feed_url, alternatives = result.permanent_url or url, ()
    except ParseError as not_a_feed:
        found = discover_feeds(result.body.decode("utf-8", "replace"), result.url)
        if not found:
            raise WireError(f"{url}: neither a feed nor a page that links to one") from not_a_feed
        feed_url, alternatives = found[0].url, tuple(found[1:])
        feed_result = fetch_url(feed_url, policy=policy, resolve=resolve).raise_for_status()
        parsed = parse_feed(feed_result.body, content_type=feed_result.header("content-type"),
                            base_url=feed_result.url)  # fmt: skip
    info = parsed.feed
    title = plain_title(info.title, info.title_detail)
    feed = add_feed(
        url=feed_url,
        outlet_name=outlet_name or title or result.url,
        home_url=info.link or "",
        language=(info.language or "")[:35],
        title=title,
    )
    return Added(feed, alternatives)


def ingest_document(feed: Feed, data: bytes, *, content_type: str | None = None) -> IngestResult:
    """Parses one feed document and stores its entries, in one transaction (demo, imports):
    the poll's parse, decide and store stages, in this process.

    Raises ParseError (nothing written) when the bytes are not a feed, WriteConflict (nothing
    written) when other writers kept storing the same articles first.
    """
    document = read_document(data, content_type=content_type, content_location=feed.url)
    plan = store.store(feed, decide_document(feed, document), timezone.now())
    if plan is None:
        raise WriteConflict(f"{feed.url}: other writers kept storing the same articles")
    return IngestResult(new=len(plan.new), updated=len(plan.changed), warnings=document.warnings)


@dataclass(frozen=True, slots=True)
class OpmlImport:
    added: int
    already_followed: int
    # Feed URLs the file named that are not web addresses (javascript:, file:, relative...).
    skipped: tuple[str, ...] = ()


def import_opml(data: bytes) -> OpmlImport:
    """Follows every feed of an OPML file; its folders and categories become labels."""
    opml = parse_opml(data)
    subscriptions = opml.subscriptions
    known = set(Feed.objects.filter(url__in=[s.feed_url for s in subscriptions])
                .values_list("url", flat=True))  # fmt: skip
    with transaction.atomic():
        for sub in subscriptions:
            add_feed(
                url=sub.feed_url,
                outlet_name=sub.title or sub.feed_url,
                home_url=sub.home_url,
                title=sub.title,
                labels=sub.labels,
            )
    return OpmlImport(
        added=len(subscriptions) - len(known), already_followed=len(known), skipped=opml.skipped
    )


def export_opml(*, title: str = "Dateline feeds") -> bytes:
    feeds = Feed.objects.select_related("outlet").order_by("outlet__name", "url")
    return write_opml(
        (
            Subscription(
                feed_url=feed.url,
                title=feed.title or feed.outlet.name,
                home_url=feed.outlet.home_url,
                labels=tuple(feed.labels),
            )
            for feed in feeds
        ),
        title=title,
        now=timezone.now(),
    )


# --- polling -----------------------------------------------------------------------------------


def poll_feeds(
    feeds: list[Feed],
    now: datetime,
    *,
    progress: Progress | None = None,
    limits: PollLimits = DEFAULT_LIMITS,
    policy: FetchPolicy | None = None,
    resolve: Resolver | None = None,
    pool: ParsePool | None = None,
    stop_when: Callable[[], bool] = lambda: False,
    lease: timedelta = CLAIM_LEASE,
) -> list[PollOutcome]:
    """Fetches `feeds` concurrently and stores each answer as it arrives (one transaction each).

    Answers that need parsing go to `pool` (the process's shared parse pool for large batches)
    while this thread stores the others; at most a few parsed documents wait at any time.

    When `stop_when()` turns true (a SIGTERM), polling ends within a second: answers already
    parsed are stored, the feeds still being fetched or parsed are abandoned, having written
    nothing, and their claims released so the next poll takes them at once.

    The feeds' claims (`lease` long, as `claim_due_feeds` took them) are renewed while the batch
    is in hand, so a batch of slow hosts that outlasts them is not polled again by another worker.
    """
    if pool is None:
        pool = shared_pool() if len(feeds) >= POOL_THRESHOLD else ParsePool(0)
    cycle = PollCycle(feeds, now, pool=pool, lease=lease, progress=progress, stop_when=stop_when)
    # A batch big enough for the parse pool is fetched in a process of its own as well, so
    # fetching, parsing and storing each have a core (a test's own resolver stays in-process).
    answers = fetch_all(cycle.requests, policy=policy or fetch_policy(), limits=limits,
                        resolve=resolve, own_process=pool.parallel and resolve is None,
                        stop_when=cycle.stopping)  # fmt: skip
    with contextlib.closing(answers):
        for answer in answers:
            if cycle.stopping():
                break
            cycle.take(answer)
    return cycle.finish()


def poll_feed(
    feed: Feed, *, policy: FetchPolicy | None = None, resolve: Resolver | None = None
) -> PollOutcome:
    """Polls one feed now, whatever its schedule."""
    (outcome,) = poll_feeds([feed], timezone.now(), policy=policy, resolve=resolve)
    return outcome


def claim_due_feeds(
    now: datetime, *, limit: int = BATCH_SIZE, lease: timedelta = CLAIM_LEASE
) -> list[Feed]:
    """Claims up to `limit` due feeds for this worker (others skip them) and loads them."""
    keys = claims.claim(Feed.objects.due(now), lease=lease, limit=limit)
    return list(Feed.objects.select_related("outlet").filter(pk__in=keys).order_by("pk"))


def poll_due_feeds(
    now: datetime,
    *,
    limit: int = BATCH_SIZE,
    progress: Progress | None = None,
    limits: PollLimits = DEFAULT_LIMITS,
    policy: FetchPolicy | None = None,
    stop_when: Callable[[], bool] = lambda: False,
    lease: timedelta = CLAIM_LEASE,
) -> list[PollOutcome]:
    """One poll cycle: claim due feeds, fetch them concurrently, store each result.

    `stop_when` ends it early, as in `poll_feeds`; the claims last `lease` and are renewed."""
    feeds = claim_due_feeds(now, limit=limit, lease=lease)
    if not feeds:
        return []
    return poll_feeds(feeds, now, progress=progress, limits=limits, policy=policy,
                      stop_when=stop_when, lease=lease)  # fmt: skip


def poll_job(now: datetime, *, stop_when: Callable[[], bool] = lambda: False) -> int:
    """The worker's polling job: one batch of due feeds; returns how many were polled.

    When `stop_when()` turns true (the worker got SIGTERM) it ends within a second, giving the
    feeds not polled yet back (see `poll_feeds`)."""
    return len(poll_due_feeds(now, stop_when=stop_when))


def set_active(feed: Feed, active: bool) -> Feed:
    """Pauses (False) or resumes (True) polling a feed.

    A resumed feed is due at once, and a reason polling stopped by itself (410 Gone, a redirect to
    a feed already followed) is cleared: the editor chose to try it again.
    """
    if feed.active == active:
        return feed
    feed.active = active
    fields = ["active"]
    if active:
        feed.next_poll_at = timezone.now()
        feed.stopped_reason = ""
        fields += ["next_poll_at", "stopped_reason"]
    feed.save(update_fields=fields)
    return feed


# --- full text ---------------------------------------------------------------------------------


def set_full_text(feed: Feed, wanted: bool) -> Feed:
    """Turns "fetch the full article" on or off for a feed's new articles."""
    if feed.fetch_full_text != wanted:
        feed.fetch_full_text = wanted
        feed.save(update_fields=["fetch_full_text"])
    return feed


def full_text_job(now: datetime, *, policy: FetchPolicy | None = None) -> int:
    """The worker's full-text job: one batch of articles waiting for their page's main text."""
    articles = fulltext.claim_pending(now)
    if not articles:
        return 0
    fulltext.store(fulltext.fetch_full_texts(articles, policy=policy or fetch_policy()))
    return len(articles)


# --- health --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedHealth:
    feed_id: int
    url: str
    outlet: str
    active: bool
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    last_error: str
    error_count: int
    next_poll_at: datetime | None
    poll_interval: timedelta | None
    entries_per_day: float | None
    stopped_reason: str
    fetch_full_text: bool = False
    title: str = ""
    labels: tuple[str, ...] = ()


def feed_health() -> list[FeedHealth]:
    """Every feed's polling health for the desk, failing feeds first."""
    feeds = Feed.objects.select_related("outlet").order_by("-error_count", "outlet__name", "url")
    return [
        FeedHealth(
            feed_id=feed.pk,
            url=feed.url,
            outlet=feed.outlet.name,
            active=feed.active,
            last_fetched_at=feed.last_fetched_at,
            last_success_at=feed.last_success_at,
            last_status=feed.last_status,
            last_error=feed.last_error,
            error_count=feed.error_count,
            next_poll_at=feed.next_poll_at,
            poll_interval=feed.poll_interval,
            entries_per_day=feed.entries_per_day,
            stopped_reason=feed.stopped_reason,
            fetch_full_text=feed.fetch_full_text,
            title=feed.title,
            labels=tuple(feed.labels),
        )
        for feed in feeds
    ]


# --- pages an editor asks for now (the desk's compose and clip screens) -------------------------

ClipFailed = clipping.ClipFailed
Clipped = clipping.Clipped
needs_text = clipping.needs_text


def fetch_text_now(article: Article, *, resolve: Resolver | None = None) -> Article:
    """Fetches `article`'s page now when it has only its feed's summary (see `needs_text`),
    keeping the main text or why there is none. Never raises for a bad page."""
    return clipping.fetch_text_now(article, policy=fetch_policy(), resolve=resolve)


def clip(url: str, *, resolve: Resolver | None = None) -> Clipped:
    """The wire article for any web page (one per canonical URL), fetched and read now.
    Raises ClipFailed, writing nothing, when it cannot be."""
    return clipping.clip(url, policy=fetch_policy(), resolve=resolve)


def clip_by_hand(*, url: str, title: str, outlet_name: str, text: str = "") -> Clipped:
    """The wire article for a citation the editor typed by hand."""
    return clipping.clip_by_hand(url=url, title=title, outlet_name=outlet_name, text=text)


def get_feed(feed_id: int) -> Feed:
    try:
        return Feed.objects.select_related("outlet").get(pk=feed_id)
    except Feed.DoesNotExist:
        raise FeedNotFound(f"no feed with id {feed_id}") from None


__all__ = [
    "MAX_FEED_BYTES",
    "Added",
    "ClipFailed",
    "Clipped",
    "FeedHealth",
    "FetchError",
    "IngestResult",
    "OpmlImport",
    "PollOutcome",
    "Progress",
    "add_feed",
    "add_from_url",
    "claim_due_feeds",
    "clip",
    "clip_by_hand",
    "export_opml",
    "feed_health",
    "fetch_text_now",
    "full_text_job",
    "get_feed",
    "import_opml",
    "ingest_document",
    "needs_text",
    "parse_feed",
    "poll_due_feeds",
    "poll_feed",
    "poll_feeds",
    "poll_job",
    "set_active",
    "set_full_text",
]
