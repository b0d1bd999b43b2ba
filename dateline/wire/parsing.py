"""The parse stage of polling: feed bytes -> the small record storing needs, possibly in parallel.

Parsing and sanitising are the CPU-heavy part of a poll cycle. One process can only use one
core for them, so a large batch is parsed by a pool of worker processes while the main process
keeps fetching and writing. A `Document` is small (no raw XML, no parse tree) so handing it back
costs little. Small batches (a single feed, tests) are parsed in the calling process: a pool
only pays for itself over many feeds.

Nothing here touches the database or Django settings, so worker processes stay light.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from dateline.wire import processes
from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.decide import Candidate, make_candidate
from dateline.wire.domain.records import PLAIN, ParsedFeed, TextValue

# Below this many documents a batch is parsed in-process.
POOL_THRESHOLD = 24


@dataclass(frozen=True, slots=True)
class Document:
    """What storing needs from one parsed feed document."""

    title: str
    language: str
    candidates: tuple[Candidate, ...]
    warnings: tuple[str, ...] = ()


def _as_html(text: TextValue | None) -> str:
    """HTML values come sanitised by the parser (feed-content policy); plain text is escaped."""
    if text is None:
        return ""
    return html.escape(text.value) if text.type == PLAIN else text.value


def document_of(parsed: ParsedFeed) -> Document:
    candidates = tuple(
        make_candidate(
            guid=entry.id if entry.id_from_feed else None,
            link=entry.link,
            title=entry.title or "",
            summary=_as_html(entry.summary),
            content=_as_html(entry.content[0]) if entry.content else "",
            published_at=entry.published or entry.updated,
            updated_at=entry.updated,
        )
        for entry in parsed.entries
    )
    return Document(
        title=parsed.feed.title or "",
        language=parsed.feed.language or "",
        candidates=candidates,
        warnings=parsed.warnings,
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
        body, content_type=content_type, content_location=content_location, base_url=base_url
    )
    return document_of(parsed)


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
                max_workers=workers, mp_context=processes.context()
            )
        self.workers = workers

    @property
    def parallel(self) -> bool:
        return self._executor is not None

    def submit(self, body: bytes, **headers: str | None) -> Future[Document]:
        if self._executor is not None:
            return self._executor.submit(_read, body, headers)
        future: Future[Document] = Future()
        try:
            future.set_result(read_document(body, **headers))
        except Exception as error:  # the caller reads it from the future, as with a pool
            future.set_exception(error)
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


def _read(body: bytes, headers: dict[str, Any]) -> Document:
    return read_document(body, **headers)


_shared: ParsePool | None = None


def shared_pool(factory: Callable[[], ParsePool] | None = None) -> ParsePool:
    """The process's parse pool, started once: a worker polls every few minutes for days, and
    starting workers each cycle would cost more than it saves."""
    global _shared
    if _shared is None:
        _shared = (factory or (lambda: ParsePool(default_workers())))()
    return _shared
