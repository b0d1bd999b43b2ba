"""The one HTTP client Dateline uses for URLs that come from outside: feeds, pages, articles.

It cannot be turned against the server that runs it:

- only http and https URLs are fetched;
- every connection (the first request and each redirect) resolves the host once, refuses it when
  any address is loopback, private, link-local, multicast, reserved or unspecified (see
  `core.addresses`), and connects to the address it checked, so a DNS answer that changes between
  the check and the connect (DNS rebinding) cannot slip through;
- redirects are followed by hand, at most `max_redirects` of them, and a loop is refused;
- connect, read and total time are limited; the total limit stops a body that drips slowly;
- the body is decompressed here, never more than `max_bytes` at a time, and refused past
  `max_bytes`, so neither a huge file nor a small gzip or brotli bomb can fill memory (httpx's
  own decoders inflate a whole network chunk at once: 5 KB of brotli became 3 GB). The codings
  asked for (`ACCEPTED_CODINGS`) are undone, any other value is read as identity, as httpx
  does, and a body compressed twice over is refused.

This module is the only user of httpx (one wrapper per library). `SafeClient` is the async client
the poller keeps open for a whole cycle (connections are reused per host); `fetch()` is the
one-shot synchronous helper for commands such as `dateline parse URL`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import brotli
import httpcore
import httpx

from dateline.core.addresses import parse_address, refusal_reason
from dateline.core.errors import DatelineError, InvalidInput

USER_AGENT = "Dateline/0.1 (+https://github.com/dateline-news/dateline; feed reader)"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The answers to a GET whose body is the resource asked for (RFC 9110 15.3: a 203 is a 200 a
# proxy rewrote; a 226 the resource after delta encoding, RFC 3229). Any other 2xx carries no
# body (204, 205), a byte range (206) or a note about the request (201, 202): not the resource.
CONTENT_STATUSES = frozenset({200, 203, 226})
# A body of any other status shorter than this is read and dropped so its connection can be reused.
DRAIN_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
# Response headers a caller may need; everything else is dropped so results stay small.
KEPT_HEADERS = (
    "content-type",
    "content-location",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "retry-after",
    "date",
    "age",
)

# The content codings asked for, each undone in bounded steps by `_Decompressor`.
ACCEPTED_CODINGS = ("gzip", "deflate", "br")

Resolver = Callable[[str, int], Awaitable[list[str]]]


# --- errors -----------------------------------------------------------------------------------


class FetchError(DatelineError):
    """A URL could not be fetched. Carries the URL it was about."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url

    def __reduce__(self) -> tuple[Any, ...]:
        # Answers cross from the poller's fetch process as pickles; an exception pickles as its
        # class called with `args`, which is the message alone here: rebuild it from its parts.
        return (_rebuilt_error, (type(self), str(self)), self.__dict__)


def _rebuilt_error(kind: type[FetchError], text: str) -> FetchError:
    error = kind.__new__(kind)
    Exception.__init__(error, text)
    return error


class UnsupportedScheme(FetchError, InvalidInput):
    """The URL is not http or https."""


class BlockedAddress(FetchError, InvalidInput):
    """The host resolves to an address the fetcher must not reach (loopback, private...)."""


class TooManyRedirects(FetchError):
    """The redirect chain is longer than allowed, or loops."""


class TooLarge(FetchError):
    """The body is larger than the allowed maximum."""


class FetchTimeout(FetchError):
    """Connecting, reading or the whole exchange took longer than allowed."""


class ConnectionFailed(FetchError):
    """The host could not be resolved or reached, or the connection broke."""


class BadStatus(FetchError):
    """The server answered with an error status (raised only by `raise_for_status`)."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(url, f"the server answered HTTP {status}")
        self.status = status


# --- configuration and results -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one client. The defaults suit feeds; tests shrink them."""

    allow_loopback: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    user_agent: str = USER_AGENT
    # How many connections the client keeps open in all (the poller's global limit sits above).
    max_connections: int = 100


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch produced. Any HTTP status is a result; transport failures raise FetchError."""

    requested_url: str
    url: str  # where the body came from, after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: datetime
    # The URL to store instead of the requested one: set only when every hop was permanent.
    permanent_url: str | None = None
    redirects: tuple[str, ...] = field(default=())

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        """The body is the resource asked for (not every 2xx: a 204 has none)."""
        return self.status in CONTENT_STATUSES

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def raise_for_status(self) -> FetchResult:
        if not (self.ok or self.not_modified):
            raise BadStatus(self.url, self.status)
        return self


# --- the guarded connection layer ----------------------------------------------------------------


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (IPv4 and IPv6)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Refused(Exception):
    """Raised inside httpcore by the guard; turned into BlockedAddress once it surfaces."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason})")


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address: the only way out of the client."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, policy: FetchPolicy, resolve: Resolver):
        self._inner = inner
        self._policy = policy
        self._resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = parse_address(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = await asyncio.wait_for(self._resolve(host, port), timeout)
            except TimeoutError as error:
                raise httpcore.ConnectTimeout(f"resolving {host} timed out") from error
            except OSError as error:
                raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
            if not addresses:
                raise httpcore.ConnectError(f"{host} has no address")
        # Refuse when any answer is forbidden: a name that points at both a public and a private
        # address is an attack, not a misconfiguration to route around.
        for address in addresses:
            parsed = parse_address(address)
            reason = (
                "not an IP address"
                if parsed is None
                else refusal_reason(parsed, allow_loopback=self._policy.allow_loopback)
            )
            if reason is not None:
                raise _Refused(host, address, reason)
        return await self._inner.connect_tcp(
            addresses[0],
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise _Refused(path, path, "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(policy: FetchPolicy, resolve: Resolver) -> httpx.AsyncHTTPTransport:
    limits = httpx.Limits(
        max_connections=policy.max_connections, max_keepalive_connections=policy.max_connections
    )
    ssl_context = httpx.create_ssl_context(trust_env=False)
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
    # httpx offers no argument for the network backend, so the pool it built is replaced by the
    # same pool over the guarded backend. test_safehttp proves the guard is in the path.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(httpcore.AnyIOBackend(), policy, resolve),
    )
    return transport


# --- the client ---------------------------------------------------------------------------


def check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"}:
        raise UnsupportedScheme(url, f"only http and https URLs are fetched, not {scheme or '?'}:")


class SafeClient:
    """An async client for outside URLs. Use as `async with SafeClient(policy) as client:`."""

    def __init__(self, policy: FetchPolicy | None = None, *, resolve: Resolver | None = None):
        self.policy = policy or FetchPolicy()
        self._client = httpx.AsyncClient(
            transport=_guarded_transport(self.policy, resolve or system_resolver),
            timeout=httpx.Timeout(
                connect=self.policy.connect_timeout,
                read=self.policy.read_timeout,
                write=self.policy.read_timeout,
                pool=self.policy.total_timeout,
            ),
            headers={
                "User-Agent": self.policy.user_agent,
                "Accept-Encoding": ", ".join(ACCEPTED_CODINGS),
            },
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> SafeClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        validators_url: str | None = None,
        accept: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET `url` with the policy's limits. Conditional when `etag`/`last_modified` are given.

        The validators are sent only to `validators_url` (default `url`), the address whose
        answer gave them, when a hop of the redirect chain asks for it: to any other address they
        mean nothing, and they would tell another host what this reader holds.
        """
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        headers = {"Accept": accept} if accept else {}
        limit = self.policy.max_bytes if max_bytes is None else max_bytes
        try:
            async with asyncio.timeout(self.policy.total_timeout):
                return await self._follow(url, headers, limit, conditional, validators_url or url)
        except TimeoutError as error:
            raise FetchTimeout(
                url, f"no complete answer within {self.policy.total_timeout:g} s"
            ) from error

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        limit: int,
        conditional: Mapping[str, str],
        validators_url: str,
    ) -> FetchResult:
        requested, current = url, url
        hops: list[str] = []
        permanent = True
        while True:
            check_scheme(current)
            hop_headers = {**headers, **conditional} if current == validators_url else headers
            response = await self._send(current, hop_headers)
            try:
                if response.status_code not in CONTENT_STATUSES:
                    await self._drain(response)
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    target = urljoin(current, location.strip())
                    permanent = permanent and response.status_code in PERMANENT_REDIRECTS
                    if target in (current, requested) or target in hops:
                        raise TooManyRedirects(requested, f"redirect loop at {target}")
                    if len(hops) >= self.policy.max_redirects:
                        raise TooManyRedirects(
                            requested, f"more than {self.policy.max_redirects} redirects"
                        )
                    hops.append(target)
                    current = target
                    continue
                body = (
                    await self._read(current, response, limit)
                    if response.status_code in CONTENT_STATUSES
                    else b""
                )
            finally:
                await response.aclose()
            kept = {
                name: response.headers[name] for name in KEPT_HEADERS if name in response.headers
            }
            return FetchResult(
                requested_url=requested,
                url=current,
                status=response.status_code,
                headers=kept,
                body=body,
                fetched_at=datetime.now(UTC),
                permanent_url=current if hops and permanent else None,
                redirects=tuple(hops),
            )

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        try:
            request = self._client.build_request("GET", url, headers=headers)
            return await self._client.send(request, stream=True)
        except _Refused as error:
            raise BlockedAddress(url, str(error)) from error
        except httpx.TimeoutException as error:
            raise FetchTimeout(url, f"timed out ({type(error).__name__})") from error
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as error:
            raise ConnectionFailed(url, f"not a usable URL: {error}") from error
        except httpx.HTTPError as error:
            raise ConnectionFailed(url, str(error) or type(error).__name__) from error

    async def _drain(self, response: httpx.Response) -> None:
        """Reads a short body that is not the resource (a 304's, a redirect's note) to its end.

        The connection goes back to the pool only once its answer was read to the end: closed
        unread, every 304 would cost a new connection. A long or broken body is not worth it:
        the connection is closed instead.
        """
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > DRAIN_BYTES:
            return
        size = 0
        with contextlib.suppress(httpx.HTTPError):
            async for chunk in response.aiter_raw():
                size += len(chunk)
                if size > DRAIN_BYTES:
                    return

    async def _read(self, url: str, response: httpx.Response, limit: int) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge(url, f"declares {declared} bytes, more than the {limit} allowed")
        decompressor = _Decompressor.for_coding(url, response.headers.get("content-encoding", ""))
        chunks: list[bytes] = []
        size = 0
        try:
            # Raw bytes, decompressed here in steps of at most what the limit leaves, so a small
            # compressed body can neither expand past the limit nor in memory before the check.
            async for raw in response.aiter_raw():
                for chunk in decompressor.feed(raw, limit - size + 1):
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(url, f"body exceeds the {limit} bytes allowed")
                    chunks.append(chunk)
        except httpx.TimeoutException as error:
            raise FetchTimeout(url, "the body stopped arriving") from error
        except httpx.HTTPError as error:
            raise ConnectionFailed(url, str(error) or type(error).__name__) from error
        return b"".join(chunks)


class _Decompressor:
    """Undoes one content coding, never producing more than `room` bytes in one step."""

    def __init__(self, url: str, coding: str) -> None:
        self._url = url
        self._coding = coding
        self._zlib: Any = None
        self._brotli: Any = None
        if coding == "gzip":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            self._zlib = zlib.decompressobj()  # zlib-wrapped, as RFC 9110 says; raw tried next
        elif coding == "br":
            self._brotli = brotli.Decompressor()
        self._started = False

    @classmethod
    def for_coding(cls, url: str, header: str) -> _Decompressor:
        named = [c.strip().lower() for c in header.split(",")]
        # Values that name no compression ("none", "UTF-8": misconfigured servers send them)
        # are read as identity, as httpx and browsers do.
        codings = [{"x-gzip": "gzip"}.get(c, c) for c in named]
        codings = [c for c in codings if c in ACCEPTED_CODINGS]
        if len(codings) > 1:
            # Each layer multiplies the expansion; no real feed is compressed twice.
            raise ConnectionFailed(url, f"the body is compressed {len(codings)} times over")
        return cls(url, codings[0] if codings else "identity")

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        try:
            if self._zlib is not None:
                yield from self._feed_zlib(data, room)
            elif self._brotli is not None:
                yield from self._feed_brotli(data, room)
            elif data:
                yield data
        except (zlib.error, brotli.error) as error:
            raise ConnectionFailed(
                self._url, f"the body could not be decompressed ({self._coding}): {error}"
            ) from error

    def _feed_zlib(self, data: bytes, room: int) -> Iterator[bytes]:
        if not self._started and data and self._coding == "deflate":
            self._started = True
            try:  # some servers send raw deflate without the zlib wrapper
                zlib.decompressobj().decompress(data[:2])
            except zlib.error:
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        while True:
            out = self._zlib.decompress(data, max(room, 1))
            data = self._zlib.unconsumed_tail
            if out:
                yield out
            # Done when the input is used up and the output was not cut short by `room`.
            if self._zlib.eof or (not data and len(out) < max(room, 1)):
                return  # anything after the end of the stream is padding

    def _feed_brotli(self, data: bytes, room: int) -> Iterator[bytes]:
        out = self._brotli.process(data, output_buffer_limit=max(room, 1))
        while True:
            if out:
                yield out
            if self._brotli.is_finished() or self._brotli.can_accept_more_data():
                return
            out = self._brotli.process(b"", output_buffer_limit=max(room, 1))


def fetch(
    url: str,
    *,
    policy: FetchPolicy | None = None,
    resolve: Resolver | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """Fetch one URL synchronously (for commands; the poller uses SafeClient in its own loop)."""

    async def once() -> FetchResult:
        async with SafeClient(policy, resolve=resolve) as client:
            return await client.get(url, etag=etag, last_modified=last_modified)

    return asyncio.run(once())
