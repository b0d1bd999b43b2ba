"""The parse stage of polling: feed bytes -> a `Document`, the small record storing needs.

Parsing and sanitising are the CPU-heavy part of a poll cycle. One process can only use one
core for them, so a large batch is parsed by a pool of worker processes while the main process
keeps fetching and writing. A `Document` is small (no raw XML, no parse tree) so handing it back
costs little. Small batches (a single feed, tests) are parsed in the calling process: a pool
only pays for itself over many feeds.

Entries' HTML is not sanitised while parsing. Most entries of a feed that answers 200 are
stored already (unchanged since the last poll, or carried by another feed of the outlet), and
storing one of those writes no text. So parsing leaves the feed's HTML in the candidates
(`Candidate.raw_html` says which) and, once the decide stage has said which entries will be
written, only those are sanitised: by `ParsePool.sanitise`, in a worker when there are workers.

What a worker sends back is a value, never an exception: a `Document` (or the sanitised
candidates), `NotAFeed` when the bytes are not a feed, or a `Crash` record for a bug.

Nothing here touches the database or Django settings, so worker processes stay light.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Any, TypeVar

from dateline.core.markup_text import markup_text
from dateline.core.safehttp import FetchResult
from dateline.core.sanitize import FEED_CONTENT, sanitize_html
from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.decide import Candidate, make_candidate
from dateline.wire.domain.records import HTML, XHTML, ParsedFeed, TextValue
from dateline.wire.domain.text import cut_markup
from dateline.wire.exceptions import ParseError
from dateline.wire.pipeline import processes
from dateline.wire.pipeline.crash import Crash

T = TypeVar("T")

# Below this many documents a batch is parsed in-process.
POOL_THRESHOLD = 24
# A summary beside the entry's content is kept to this many characters (docs/decisions/0050): it
# is a teaser or a copy of the content, and a megabyte of it cost up to a second to sanitise, in
# every parse of the feed that changed it. Without content the summary is the article: kept whole.
SUMMARY_MAX_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class Document:
    """What storing needs from one parsed feed document."""

    title: str
    language: str
    candidates: tuple[Candidate, ...]
    warnings: tuple[str, ...] = ()
    # False when the document broke its format's rules (its first warning says how); a
    # well-formed one may still warn (a URL dropped for its scheme).
    well_formed: bool = True

    def with_candidates(self, replacements: dict[int, Candidate]) -> Document:
        """This document with the candidates at the given positions replaced."""
        candidates = tuple(replacements.get(i, c) for i, c in enumerate(self.candidates))
        return replace(self, candidates=candidates)


@dataclass(frozen=True, slots=True)
class NotAFeed:
    """The bytes could not be read as a feed (the parser's ParseError, as a value)."""

    reason: str


def _is_markup(text: TextValue | None) -> bool:
    return text is not None and text.type in (HTML, XHTML)


def _as_html(text: TextValue | None) -> str:
    """Markup as the feed wrote it (sanitised when stored); any other text is escaped.

    Text of another media type (text/csv, a base64 payload) is shown as text, never as markup.
    """
    if text is None:
        return ""
    return text.value if _is_markup(text) else html.escape(text.value)


def plain_title(title: TextValue | None) -> str:
    """A title as plain text. The parser keeps an HTML title as (sanitised) HTML, as feedparser
    does; the wire stores titles as text, which the desk, the blog and the clusterer escape."""
    if title is None or not title.value:
        return ""
    return markup_text(title.value) if _is_markup(title) else title.value


def document_of(parsed: ParsedFeed) -> Document:
    """The candidates of a feed parsed with ``raw_entry_html`` (see parse_feed)."""
    candidates = []
    for entry in parsed.entries:
        content = entry.content[0] if entry.content else None
        summary, content_html = _as_html(entry.summary), _as_html(content)
        raw_html = tuple(
            (name, text.base)
            for name, text in (("summary", entry.summary), ("content", content))
            if text is not None and _is_markup(text) and text.value
        )
        candidates.append(
            make_candidate(
                guid=entry.id if entry.id_from_feed else None,
                link=entry.link,
                title=plain_title(entry.title),
                summary=cut_markup(summary, SUMMARY_MAX_CHARS) if content_html else summary,
                content=content_html,
                published_at=entry.published or entry.updated,
                updated_at=entry.updated,
                raw_html=raw_html,
            )
        )
    return Document(
        title=plain_title(parsed.feed.title),
        language=parsed.feed.language or "",
        candidates=tuple(candidates),
        warnings=parsed.warnings,
        well_formed=parsed.well_formed,
    )


def sanitised(candidate: Candidate) -> Candidate:
    """`candidate` with its feed HTML sanitised (the feed-content policy), ready to store."""
    if not candidate.raw_html:
        return candidate
    texts = {
        name: sanitize_html(getattr(candidate, name), FEED_CONTENT, base_url=base).strip()
        for name, base in candidate.raw_html
    }
    return replace(
        candidate,
        summary=texts.get("summary", candidate.summary),
        content=texts.get("content", candidate.content),
        raw_html=(),
    )


def read_document(
    body: bytes,
    *,
    content_type: str | None = None,
    content_location: str | None = None,
    base_url: str | None = None,
) -> Document:
    """Parses feed bytes into a Document. Raises wire's ParseError when they are not a feed."""
    parsed = parse_feed(
        body,
        content_type=content_type,
        content_location=content_location,
        base_url=base_url,
        raw_entry_html=True,
    )
    return document_of(parsed)


def parse_headers(result: FetchResult) -> dict[str, str | None]:
    """What of an HTTP answer, besides its body, reading it as a feed needs."""
    return {
        "content_type": result.header("content-type"),
        "content_location": result.header("content-location"),
        "base_url": result.url,
    }


def default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1))


class ParsePool:
    """Parses documents in worker processes (or in-process when `workers` is 0).

    Workers come from the fork server of `processes`, never from this process.
    """

    def __init__(self, workers: int) -> None:
        self._executor: ProcessPoolExecutor | None = None
        if workers > 0:
            self._executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=processes.context(),
                # A worker waits for work forever: it must end with the poller (see processes).
                initializer=processes.end_with_fork_server,
            )
        self.workers = workers

    @property
    def parallel(self) -> bool:
        return self._executor is not None

    def parse(self, body: bytes, **headers: str | None) -> Future[Document | NotAFeed | Crash]:
        """`read_document`, in a worker when there are workers."""
        return self._run(_read, body, headers)

    def sanitise(self, candidates: list[Candidate]) -> Future[list[Candidate] | Crash]:
        """`sanitised` for each of `candidates`, in a worker when there are workers."""
        return self._run(_sanitise_all, candidates)

    def _run(self, function: Callable[..., T], *args: Any) -> Future[T | Crash]:
        if self._executor is not None:
            return self._executor.submit(_caught, function, *args)
        future: Future[T | Crash] = Future()
        future.set_result(_caught(function, *args))
        return future

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def result_of(future: Future[T | Crash]) -> T | Crash:
    """What `future` brought back. A pool that broke (a worker killed) raises in this process
    rather than in the worker: that comes back as a Crash record too."""
    try:
        return future.result()
    except Exception as error:
        return Crash.of(error)


def _caught(function: Callable[..., T], *args: Any) -> T | Crash:
    # Runs in the worker: a bug there comes back as a record the poller logs, feed by feed.
    try:
        return function(*args)
    except Exception as error:
        return Crash.of(error)


def _read(body: bytes, headers: dict[str, Any]) -> Document | NotAFeed:
    try:
        return read_document(body, **headers)
    except ParseError as error:
        return NotAFeed(str(error))


def _sanitise_all(candidates: list[Candidate]) -> list[Candidate]:
    return [sanitised(candidate) for candidate in candidates]


_shared: ParsePool | None = None


def shared_pool(factory: Callable[[], ParsePool] | None = None) -> ParsePool:
    """The process's parse pool, started once: a worker polls every few minutes for days, and
    starting workers each cycle would cost more than it saves."""
    global _shared
    if _shared is None:
        _shared = (factory or (lambda: ParsePool(default_workers())))()
    return _shared
