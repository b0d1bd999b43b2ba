"""Full text: for feeds that carry only a summary, fetch each new article's page and keep its
main text beside the summary.

A batch of pending articles is claimed (like feeds, so workers share the work), the robots.txt
of each host is consulted (fetched through the safe fetcher, cached per host), the allowed pages
are fetched with the poller's own per-host and global limits, and each article is written in its
own short update: the sanitised main text, or the reason it is missing. The summary always
stays, so a failure only means the reader sees the summary.

robots.txt follows RFC 9309: a 4xx answer (no file) allows everything; a 5xx answer or no
answer at all disallows everything until the cache entry expires and it is asked again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from dateline.core import claims
from dateline.core.safehttp import FetchPolicy
from dateline.wire.adapters.extract import ExtractionFailed, main_text
from dateline.wire.models import Article, FullTextStatus
from dateline.wire.pipeline.fetch import DEFAULT_LIMITS, Answer, PollLimits, Request, fetch_all

logger = logging.getLogger("dateline.wire.fulltext")

ROBOTS_AGENT = "Dateline"
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TTL = 24 * 3600.0  # seconds a robots.txt answer is trusted
ROBOTS_RETRY = 3600.0  # seconds before an unreachable robots.txt is asked again
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 50


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsCache:
    """Parsed robots.txt per origin (scheme, host and port), each kept for a while."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._rules: dict[str, tuple[RobotFileParser, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def known(self, origin: str) -> RobotFileParser | None:
        with self._lock:
            entry = self._rules.get(origin)
        if entry is None or entry[1] < self._clock():
            return None
        return entry[0]

    def learn(self, origin: str, status: int | None, body: bytes) -> RobotFileParser:
        rules = RobotFileParser()
        if status is not None and 200 <= status < 300:
            rules.parse(body.decode("utf-8", "replace").splitlines())
            ttl = ROBOTS_TTL
        elif status is not None and 400 <= status < 500:
            rules.allow_all = True
            ttl = ROBOTS_TTL
        else:
            rules.disallow_all = True  # the server is failing: ask again in a while
            ttl = ROBOTS_RETRY
        with self._lock:
            self._rules[origin] = (rules, self._clock() + ttl)
        return rules


_robots = RobotsCache()


@dataclass(frozen=True, slots=True)
class Fetched:
    article_id: int
    status: FullTextStatus
    text: str = ""
    note: str = ""


def claim_pending(now: datetime, *, limit: int = BATCH) -> list[Article]:
    keys = claims.claim(Article.objects.awaiting_full_text(), lease=CLAIM_LEASE, limit=limit)
    return list(Article.objects.filter(pk__in=keys).only("id", "url").order_by("pk"))


def fetch_full_texts(
    articles: list[Article],
    *,
    policy: FetchPolicy,
    limits: PollLimits = DEFAULT_LIMITS,
    robots: RobotsCache | None = None,
) -> list[Fetched]:
    """Fetches and extracts the pages of `articles` (no database). One result per article."""
    robots = robots or _robots
    results: list[Fetched] = []
    linked = []
    for article in articles:
        if urlsplit(article.url).scheme in {"http", "https"}:
            linked.append(article)
        else:
            results.append(Fetched(article.pk, FullTextStatus.FAILED, note="the entry has no link"))

    origins = sorted({origin_of(a.url) for a in linked})
    unknown = [origin for origin in origins if robots.known(origin) is None]
    robot_policy = _with_max_bytes(policy, ROBOTS_MAX_BYTES)
    for answer in fetch_all(
        [Request(index, f"{origin}/robots.txt") for index, origin in enumerate(unknown)],
        policy=robot_policy, limits=limits,
    ):  # fmt: skip
        origin = unknown[answer.request.key]
        result = answer.result
        robots.learn(origin, None if result is None else result.status,
                     b"" if result is None else result.body)  # fmt: skip

    allowed = []
    for article in linked:
        origin = origin_of(article.url)
        # Unknown only when the robots fetch itself was cut short: treated as unreachable.
        rules = robots.known(origin) or robots.learn(origin, None, b"")
        if rules.can_fetch(ROBOTS_AGENT, article.url):
            allowed.append(article)
        else:
            results.append(Fetched(article.pk, FullTextStatus.ROBOTS,
                                   note="robots.txt of the site disallows it"))  # fmt: skip

    by_id = {article.pk: article for article in allowed}
    requests = [Request(article.pk, article.url) for article in allowed]
    for answer in fetch_all(requests, policy=policy, limits=limits):
        results.append(_extracted(by_id[answer.request.key], answer))
    return results


def _extracted(article: Article, answer: Answer) -> Fetched:
    if answer.error is not None:
        return Fetched(article.pk, FullTextStatus.FAILED, note=_short(str(answer.error)))
    result = answer.result
    assert result is not None
    if not result.ok:  # a 203 from a rewriting proxy is the page too; a 204 is no page
        return Fetched(article.pk, FullTextStatus.FAILED, note=f"HTTP {result.status}")
    kind = (result.header("content-type") or "text/html").split(";")[0].strip().lower()
    if kind not in {"text/html", "application/xhtml+xml"}:
        return Fetched(article.pk, FullTextStatus.FAILED, note=f"not an HTML page ({kind})")
    try:
        text = main_text(result.body, url=result.url)
    except ExtractionFailed as error:
        return Fetched(article.pk, FullTextStatus.FAILED, note=_short(str(error)))
    return Fetched(article.pk, FullTextStatus.FETCHED, text=text)


def store(results: list[Fetched]) -> None:
    """Writes each article's outcome (one UPDATE each, which also releases its claim)."""
    for fetched in results:
        Article.objects.filter(pk=fetched.article_id).update(
            full_text=fetched.text,
            full_text_status=fetched.status,
            full_text_note=fetched.note,
            claimed_until=None,
        )


def _short(message: str) -> str:
    return message[:300]


def _with_max_bytes(policy: FetchPolicy, max_bytes: int) -> FetchPolicy:
    return replace(policy, max_bytes=min(policy.max_bytes, max_bytes))
