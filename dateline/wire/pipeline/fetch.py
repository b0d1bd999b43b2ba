"""The fetch stage of polling: many URLs at once, politely, with no database in sight.

`fetch_all()` runs one asyncio loop in a background thread, or for a poll cycle's big batches
in a process of its own, and yields each answer to the calling (synchronous, Django) thread as
soon as it arrives, so parsing and storing one feed overlaps with fetching the next ones. In a
process of its own the fetch loop has a core of its own: in a thread it would take turns with
storing for the one interpreter lock. The hand-over queue is bounded: a slow database holds the
fetchers back instead of letting answers pile up in memory.

Politeness: at most `per_host` requests to one host at a time and `concurrency` in all; every
request goes through `core.safehttp`, which enforces the address guard and the time and size
limits.

What crosses from the fetch process is typed: an `Answer` per request, then one `Ended`, which
carries a `Crash` record (kind, message, traceback) when the fetch loop failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.queues
import queue
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from dateline.core.safehttp import FetchError, FetchPolicy, FetchResult, Resolver, SafeClient
from dateline.wire.pipeline import processes
from dateline.wire.pipeline.crash import Crash


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
    # The address whose answer gave the validators (after redirects); empty: `url` itself.
    validators_url: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    request: Request
    result: FetchResult | None = None
    error: FetchError | None = None


@dataclass(frozen=True, slots=True)
class Ended:
    """The last item of a stream of answers; `crash` says why the fetch loop failed (a bug)."""

    crash: Crash | None = None


class _Queue(Protocol):
    """A queue.Queue or a multiprocessing one: the fetch loop does not mind which."""

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None: ...
    def put_nowait(self, item: object) -> None: ...


class _Event(Protocol):
    def is_set(self) -> bool: ...
    def set(self) -> None: ...


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
                request.url,
                etag=request.etag or None,
                last_modified=request.last_modified or None,
                validators_url=request.validators_url or None,
            )
        except FetchError as error:
            return Answer(request, error=error)
    return Answer(request, result=result)


async def _produce(
    requests: list[Request],
    out: _Queue,
    stop: _Event,
    policy: FetchPolicy,
    limits: PollLimits,
    resolve: Resolver | None,
    consumer_gone: Callable[[], bool] = lambda: False,
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
            # The consumer went away (an error, Ctrl-C, killed): abandon the fetches in flight.
            while not stop.is_set():
                if consumer_gone():
                    stop.set()
                    break
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
    own_process: bool = False,
    stop_when: Callable[[], bool] = lambda: False,
) -> Iterator[Answer]:
    """Yields one Answer per request, in the order they complete.

    With `own_process`, the fetch loop runs in a process of its own (worth it for a cycle's
    hundreds of feeds, not for a few). A custom `resolve` cannot cross to another process.
    When `stop_when()` turns true (a SIGTERM), the stream ends within `STOP_CHECK_SECONDS`
    and the fetches still in flight are abandoned, however long their servers take.
    """
    wanted = list(requests)
    if not wanted:
        return
    if own_process:
        if resolve is not None:
            raise ValueError("a custom resolver works only in this process")
        yield from _fetch_in_process(wanted, policy, limits, stop_when)
    else:
        yield from _fetch_in_thread(wanted, policy, limits, resolve, stop_when)


# How often a consumer waiting for the next answer checks whether it was asked to stop.
STOP_CHECK_SECONDS = 0.25


def _put_until_stopped(out: _Queue, stop: _Event, item: object) -> None:
    with contextlib.suppress(queue.Full):
        while not stop.is_set():
            try:
                out.put(item, True, 0.5)
                return
            except queue.Full:
                continue


def _fetch_in_thread(
    wanted: list[Request],
    policy: FetchPolicy,
    limits: PollLimits,
    resolve: Resolver | None,
    stop_when: Callable[[], bool],
) -> Iterator[Answer]:
    out: queue.Queue[object] = queue.Queue(maxsize=limits.buffered)
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_produce(wanted, out, stop, policy, limits, resolve))
        except BaseException as error:  # handed to the consuming thread, which re-raises it
            failure.append(error)
        finally:
            _put_until_stopped(out, stop, Ended())

    thread = threading.Thread(target=run, name="dateline-fetch", daemon=True)
    thread.start()
    try:
        while not stop_when():
            try:
                item = out.get(timeout=STOP_CHECK_SECONDS)
            except queue.Empty:
                continue
            if isinstance(item, Ended):
                break
            assert isinstance(item, Answer)
            yield item
    finally:
        # The consumer may stop early (an error, Ctrl-C): tell the loop and let it wind down.
        stop.set()
        thread.join(timeout=10)
    if failure:
        raise failure[0]


class FetchProcessFailed(RuntimeError):
    """The fetch process died or its loop failed: a bug or the machine, not a feed."""

    def __init__(self, reason: str, crash: Crash | None = None) -> None:
        super().__init__(f"{reason}\n{crash.traceback}" if crash else reason)
        self.crash = crash


def _fetch_in_process(
    wanted: list[Request], policy: FetchPolicy, limits: PollLimits, stop_when: Callable[[], bool]
) -> Iterator[Answer]:
    forkserver = processes.context()
    out: multiprocessing.queues.Queue[object] = forkserver.Queue(maxsize=limits.buffered)
    stop = forkserver.Event()
    process = forkserver.Process(
        target=_fetch_process_main,
        args=(wanted, out, stop, policy, limits),
        name="dateline-fetch",
        daemon=True,
    )
    process.start()
    failure: FetchProcessFailed | None = None
    try:
        while not stop_when():
            try:
                item = out.get(timeout=STOP_CHECK_SECONDS)
            except queue.Empty:
                if not process.is_alive():
                    failure = FetchProcessFailed(
                        f"the fetch process ended unexpectedly (exit code {process.exitcode})"
                    )
                    break
                continue
            if isinstance(item, Ended):
                if item.crash is not None:
                    failure = FetchProcessFailed("the fetch loop failed", item.crash)
                break
            assert isinstance(item, Answer)
            yield item
    finally:
        # The consumer may stop early (an error, Ctrl-C): tell the process and let it wind down.
        stop.set()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()
        out.close()
    if failure is not None:
        raise failure


def _fetch_process_main(
    wanted: list[Request],
    out: multiprocessing.queues.Queue[object],
    stop: _Event,
    policy: FetchPolicy,
    limits: PollLimits,
) -> None:
    # Ctrl-C reaches the whole process group: the poller decides when this process stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    processes.end_with_fork_server()
    parent = multiprocessing.parent_process()

    def poller_gone() -> bool:
        # The poller may die without a word (SIGKILL): its end of a pipe closing says so.
        return parent is not None and bool(multiprocessing.connection.wait([parent.sentinel], 0))

    ending = Ended()
    try:
        asyncio.run(_produce(wanted, out, stop, policy, limits, None, poller_gone))
    except BaseException as error:  # sent to the poller, which raises it as FetchProcessFailed
        ending = Ended(Crash.of(error))
    _put_until_stopped(out, stop, ending)
    if stop.is_set():
        # Nobody reads any more: do not wait at exit for answers still queued to be sent.
        out.cancel_join_thread()
