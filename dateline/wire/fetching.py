"""The fetch stage of polling: many URLs at once, politely, with no database in sight.

`fetch_all()` runs one asyncio loop in a background thread and yields each answer to the calling
(synchronous, Django) thread as soon as it arrives, so parsing and storing one feed overlaps with
fetching the next ones. The hand-over queue is bounded: a slow database holds the fetchers back
instead of letting answers pile up in memory.

Politeness: at most `per_host` requests to one host at a time and `concurrency` in all; every
request goes through `core.safehttp`, which enforces the address guard and the time and size
limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from dateline.core.safehttp import FetchError, FetchPolicy, FetchResult, Resolver, SafeClient


@dataclass(frozen=True, slots=True)
class PollLimits:
    concurrency: int = 64
    per_host: int = 4
    # Answers waiting to be stored; bounds memory whatever the number of feeds.
    buffered: int = 16


DEFAULT_LIMITS = PollLimits()


@dataclass(frozen=True, slots=True)
class Request:
    key: int  # the caller's id for this request (a feed or article id)
    url: str
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    request: Request
    result: FetchResult | None = None
    error: FetchError | None = None


_DONE = object()


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


async def _fetch_one(
    client: SafeClient,
    request: Request,
    everyone: asyncio.Semaphore,
    hosts: dict[str, asyncio.Semaphore],
    per_host: int,
) -> Answer:
    host = hosts.setdefault(host_of(request.url), asyncio.Semaphore(per_host))
    async with host, everyone:
        try:
            result = await client.get(
                request.url, etag=request.etag or None, last_modified=request.last_modified or None
            )
        except FetchError as error:
            return Answer(request, error=error)
    return Answer(request, result=result)


async def _produce(
    requests: list[Request],
    out: queue.Queue[object],
    stop: threading.Event,
    policy: FetchPolicy,
    limits: PollLimits,
    resolve: Resolver | None,
) -> None:
    everyone = asyncio.Semaphore(limits.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    upcoming = iter(requests)

    async def hand_over(answer: Answer) -> None:
        # Most answers fit in the queue at once; only a full one (a slow database) waits, in a
        # worker thread, so the loop keeps serving the other fetches meanwhile.
        try:
            out.put_nowait(answer)
            return
        except queue.Full:
            pass
        while not stop.is_set():
            try:
                await asyncio.to_thread(out.put, answer, True, 0.5)
                return
            except queue.Full:
                continue

    async def fetcher(client: SafeClient) -> None:
        # A fixed set of fetchers pulls requests as they go, so 10,000 feeds cost 10,000 small
        # objects at most, not 10,000 coroutines waiting on semaphores.
        for request in upcoming:
            if stop.is_set():
                return
            await hand_over(await _fetch_one(client, request, everyone, hosts, limits.per_host))

    async with SafeClient(policy, resolve=resolve) as client:
        workers = [
            asyncio.create_task(fetcher(client))
            for _ in range(min(limits.concurrency, len(requests)))
        ]

        async def cancel_when_stopped() -> None:
            # The consumer went away (an error, Ctrl-C): abandon the fetches in flight.
            while not stop.is_set():
                await asyncio.sleep(0.1)
            for worker in workers:
                worker.cancel()

        watcher = asyncio.create_task(cancel_when_stopped())
        try:
            outcomes = await asyncio.gather(*workers, return_exceptions=True)
        finally:
            watcher.cancel()
            for worker in workers:
                worker.cancel()
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome  # a bug in a fetcher: the consumer re-raises it


def fetch_all(
    requests: Iterable[Request],
    *,
    policy: FetchPolicy,
    limits: PollLimits = DEFAULT_LIMITS,
    resolve: Resolver | None = None,
) -> Iterator[Answer]:
    """Yields one Answer per request, in the order they complete."""
    wanted = list(requests)
    if not wanted:
        return
    out: queue.Queue[object] = queue.Queue(maxsize=limits.buffered)
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_produce(wanted, out, stop, policy, limits, resolve))
        except BaseException as error:  # handed to the consuming thread, which re-raises it
            failure.append(error)
        finally:
            with contextlib.suppress(queue.Full):
                while not stop.is_set():
                    try:
                        out.put(_DONE, timeout=0.5)
                        break
                    except queue.Full:
                        continue

    thread = threading.Thread(target=run, name="dateline-fetch", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _DONE:
                break
            assert isinstance(item, Answer)
            yield item
    finally:
        # The consumer may stop early (an error, Ctrl-C): tell the loop and let it wind down.
        stop.set()
        thread.join(timeout=10)
    if failure:
        raise failure[0]
