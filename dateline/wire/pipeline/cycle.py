"""One poll cycle: a batch of claimed feeds taken through fetch -> parse -> decide -> store.

`services.poll_feeds` feeds the cycle the fetch stage's answers as they arrive; the cycle
stores each one:

- an answer that needs no parsing (an error, a 304, the same bytes again) has its feed's new
  state recorded at once, in batches (`store.triage`);
- a new body is PARSING in the pool; once parsed, the decide stage reads what is stored and
  decides what to write (no transaction); the entries to write that still hold the feed's HTML
  are SANITISING in the pool; then the store stage writes it all in one short transaction.

At most a few answers are in the pool's hands at once, oldest first, so memory stays flat
whatever the batch. The cycle renews the batch's claims while it runs and is the one place
that decides to stop: asked to (a SIGTERM), it stores what the pool has finished, abandons the
rest, having written nothing for it, and gives those feeds' claims back.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

from dateline.core import claims
from dateline.wire.domain.decide import Candidate
from dateline.wire.exceptions import ParseError
from dateline.wire.models import Feed
from dateline.wire.pipeline import store
from dateline.wire.pipeline.crash import Crash
from dateline.wire.pipeline.decide import Decision, decide_document
from dateline.wire.pipeline.fetch import Answer, Request
from dateline.wire.pipeline.parse import Document, NotAFeed, ParsePool, parse_headers, result_of
from dateline.wire.pipeline.store import NewBody, PollOutcome

logger = logging.getLogger("dateline.wire")

Progress = Callable[[PollOutcome], None]
T = TypeVar("T")


class Step(Enum):
    """What the parse pool is doing for one answer."""

    PARSING = "parsing"  # reading the body into a Document
    SANITISING = "sanitising"  # sanitising the entries the decision will write


class State(Enum):
    """Where the cycle is."""

    RUNNING = "running"  # answers arrive; what the pool has finished is stored as it comes
    STOPPING = "stopping"  # asked to stop: store what the pool has finished, abandon the rest
    DONE = "done"


@dataclass(frozen=True, slots=True)
class InPool:
    """One answer in the pool's hands."""

    body: NewBody
    step: Step
    # PARSING: a Document, NotAFeed or a Crash; SANITISING: the candidates, or a Crash.
    future: Future[Any]
    # While SANITISING: the decision, and the positions of its candidates being sanitised.
    decision: Decision | None = None
    positions: tuple[int, ...] = ()


class PollCycle:
    """One batch of feeds through the pipeline; `take` each answer, then `finish`."""

    def __init__(
        self,
        feeds: list[Feed],
        now: datetime,
        *,
        pool: ParsePool,
        lease: timedelta,
        progress: Progress | None = None,
        stop_when: Callable[[], bool] = lambda: False,
    ) -> None:
        self.now = now
        self.pool = pool
        self.state = State.RUNNING
        self.outcomes: list[PollOutcome] = []
        self._feeds = {feed.pk: feed for feed in feeds}
        self._progress = progress
        self._stop_when = stop_when
        self._renewal = claims.Renewal(Feed, self._feeds, lease)
        # Feeds whose answer changes only their own row (304, errors) are written in batches.
        self._batch = store.StateBatch()
        self._in_pool: deque[InPool] = deque()
        self._most_in_pool = max(2, pool.workers * 3)

    @property
    def requests(self) -> list[Request]:
        return [
            Request(feed.pk, feed.url, feed.etag, feed.last_modified, feed.validators_url)
            for feed in self._feeds.values()
        ]

    def stopping(self) -> bool:
        """Whether to stop now. Called after every answer, and every STOP_CHECK_SECONDS while
        fetches are in flight: it keeps the claims alive too (a feed stored since has no claim
        left to renew)."""
        self._renewal.tick()
        if self.state is State.RUNNING and self._stop_when():
            self.state = State.STOPPING
        return self.state is State.STOPPING

    def take(self, answer: Answer) -> None:
        """Stores `answer`, or hands it to the pool; then stores what the pool has finished,
        waiting for the oldest only when too many answers are in its hands."""
        feed = self._feeds[answer.request.key]
        body = _guarded(feed, store.triage, feed, answer, self.now, self._batch)
        if isinstance(body, PollOutcome):
            self._done(body)
        else:
            parsing = self.pool.parse(body.result.body, **parse_headers(body.result))
            self._in_pool.append(InPool(body, Step.PARSING, parsing))
        while self._in_pool and (
            self._in_pool[0].future.done() or len(self._in_pool) > self._most_in_pool
        ):
            self._advance(self._in_pool.popleft())

    def finish(self) -> list[PollOutcome]:
        """Stores what the pool still has (only what it has finished, when stopping), writes
        the batched feed states and, when stopping, gives the unpolled feeds' claims back."""
        while self._in_pool and (not self.stopping() or self._in_pool[0].future.done()):
            self._advance(self._in_pool.popleft())
        try:
            self._batch.flush()
        except Exception:
            # Like _guarded: a failed write leaves those feeds claimed until the lease expires.
            logger.exception("storing the state of unchanged feeds failed")
        if self.stopping():
            finished = {outcome.feed_id for outcome in self.outcomes}
            claims.release(Feed, [key for key in self._feeds if key not in finished])
        self.state = State.DONE
        return self.outcomes

    # --- one answer's steps ------------------------------------------------------------------

    def _advance(self, work: InPool) -> None:
        """The pool finished `work`'s step: take it to the next one."""
        feed = work.body.feed
        if work.step is Step.PARSING:
            parsed: Document | NotAFeed | Crash = result_of(work.future)
            if isinstance(parsed, Document):
                self._decided(work.body, _guarded(feed, decide_document, feed, parsed))
            else:
                self._unreadable(work.body, parsed)
            return
        assert work.decision is not None
        sanitised: list[Candidate] | Crash = result_of(work.future)
        decision = work.decision
        if isinstance(sanitised, Crash):
            # The feed was read; the worker failed: the store stage sanitises what it writes.
            logger.error("sanitising %s in the pool failed; sanitising here\n%s", feed.url,
                         sanitised.traceback)  # fmt: skip
        else:
            decision = decision.with_sanitised(work.positions, sanitised)
        self._store(work.body, decision)

    def _decided(self, body: NewBody, decision: Decision | PollOutcome) -> None:
        if isinstance(decision, PollOutcome):
            self._done(decision)
            return
        positions = decision.to_sanitise()
        if not positions:
            self._store(body, decision)
            return
        candidates = [decision.document.candidates[i] for i in positions]
        try:
            sanitising = self.pool.sanitise(candidates)
        except Exception:  # a broken pool: the store stage sanitises what it writes
            logger.exception("the parse pool refused work; sanitising %s here", body.feed.url)
            self._store(body, decision)
            return
        self._in_pool.append(InPool(body, Step.SANITISING, sanitising, decision, positions))

    def _unreadable(self, body: NewBody, failure: NotAFeed | Crash) -> None:
        if isinstance(failure, NotAFeed):
            reason = failure.reason
        else:  # a crashed parse worker: the feed is recorded as unreadable, the operator told
            logger.error("parsing feed %s failed\n%s", body.feed.url, failure.traceback)
            reason = str(ParseError(f"could not be parsed ({failure.kind})", body.feed.url))
        self._done(_guarded(body.feed, store.record_parse_error, body, reason, self.now))

    def _store(self, body: NewBody, decision: Decision) -> None:
        self._done(_guarded(body.feed, store.record_document, body, decision, self.now))

    def _done(self, outcome: PollOutcome) -> None:
        self.outcomes.append(outcome)
        if self._progress is not None:
            self._progress(outcome)


def _guarded(feed: Feed, step: Callable[..., T], *args: object) -> T | PollOutcome:
    """Runs one feed's step in this process. A bug there must not stop the other feeds: the
    feed's claim expires and it is polled again; the operator gets the traceback."""
    try:
        return step(*args)
    except Exception:
        logger.exception("storing feed %s failed", feed.url)
        return PollOutcome(feed.pk, feed.url, None, error="internal error while storing")
