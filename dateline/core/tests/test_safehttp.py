"""The safe fetcher against a real HTTP server on loopback (no mocked transport)."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import tracemalloc
import zlib

import brotli
import pytest

from dateline.core import safehttp
from dateline.core.addresses import refusal_reason
from dateline.core.safehttp import FetchPolicy, SafeClient, fetch
from tests.support.loopback import LoopbackServer, Reply

LOOPBACK = FetchPolicy(allow_loopback=True, connect_timeout=2, read_timeout=1, total_timeout=3)
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def test_200_carries_body_caching_headers_and_names_dateline(server):
    url = server.route(
        "/feed.xml",
        Reply(
            body=FEED,
            headers={"Content-Type": "application/rss+xml", "Cache-Control": "max-age=600"},
            etag='"v1"',
        ),
    )
    result = fetch(url, policy=LOOPBACK)
    assert result.status == 200 and result.body == FEED
    assert result.header("etag") == '"v1"'
    assert result.header("cache-control") == "max-age=600"
    sent = server.hits("/feed.xml")[0].headers
    assert "Dateline" in sent["user-agent"] and "http" in sent["user-agent"]
    assert "gzip" in sent["accept-encoding"] and "br" in sent["accept-encoding"]


def test_matching_etag_gets_304_with_no_body(server):
    url = server.route("/feed.xml", Reply(body=FEED, etag='"v1"'))
    result = fetch(url, policy=LOOPBACK, etag='"v1"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    assert result.not_modified and result.body == b""
    sent = server.hits("/feed.xml")[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_gzip_body_is_decoded(server):
    url = server.route("/feed.xml", Reply(body=FEED, gzip=True))
    assert fetch(url, policy=LOOPBACK).body == FEED


def test_301_is_followed_and_reported_as_the_url_to_store(server):
    target = server.route("/new.xml", Reply(body=FEED))
    url = server.route("/old.xml", Reply(status=301, headers={"Location": "/new.xml"}))
    result = fetch(url, policy=LOOPBACK)
    assert result.body == FEED and result.url == target
    assert result.permanent_url == target


def test_302_is_followed_but_not_stored(server):
    server.route("/new.xml", Reply(body=FEED))
    url = server.route("/old.xml", Reply(status=302, headers={"Location": "/new.xml"}))
    result = fetch(url, policy=LOOPBACK)
    assert result.body == FEED and result.permanent_url is None


def test_302_loop_is_refused(server):
    server.route("/a", Reply(status=302, headers={"Location": "/b"}))
    url = server.route("/b", Reply(status=302, headers={"Location": "/a"}))
    with pytest.raises(safehttp.TooManyRedirects, match="loop"):
        fetch(url, policy=LOOPBACK)


def test_redirect_chain_is_bounded(server):
    for hop in range(10):
        server.route(f"/hop{hop}", Reply(status=302, headers={"Location": f"/hop{hop + 1}"}))
    with pytest.raises(safehttp.TooManyRedirects, match="more than 5"):
        fetch(server.url("/hop0"), policy=LOOPBACK)
    assert len(server.requests) == 6  # the first request and five redirects, then it stopped


@pytest.mark.parametrize("status", [410, 429, 500, 503])
def test_error_statuses_are_results_not_exceptions(server, status):
    url = server.route("/x", Reply(status=status, headers={"Retry-After": "120"}, body=b"no"))
    result = fetch(url, policy=LOOPBACK)
    assert result.status == status and result.header("retry-after") == "120"
    with pytest.raises(safehttp.BadStatus):
        result.raise_for_status()


def test_server_that_never_answers_times_out(server):
    url = server.route("/slow", Reply(body=FEED, delay=2.5))
    with pytest.raises(safehttp.FetchTimeout):
        fetch(url, policy=LOOPBACK)


def test_slow_drip_body_hits_the_total_limit(server):
    # Each byte comes well within the read timeout; only the total limit can stop it.
    url = server.route("/drip", Reply(body=b"x" * 200, drip=0.05))
    policy = FetchPolicy(allow_loopback=True, read_timeout=1, total_timeout=1.5)
    with pytest.raises(safehttp.FetchTimeout, match="no complete answer"):
        fetch(url, policy=policy)


def test_body_over_the_limit_is_refused_while_streaming(server):
    # The length header is a lie (absent), so the limit must be enforced on the bytes themselves.
    url = server.route("/huge", Reply(body=b"x" * 50_000, unsized=True))
    with pytest.raises(safehttp.TooLarge):
        fetch(url, policy=FetchPolicy(allow_loopback=True, max_bytes=10_000))


def test_declared_length_over_the_limit_is_refused_before_reading(server):
    url = server.route("/huge", Reply(body=b"x" * 50_000))
    with pytest.raises(safehttp.TooLarge, match="declares"):
        fetch(url, policy=FetchPolicy(allow_loopback=True, max_bytes=10_000))


def test_gzip_bomb_is_refused_on_decoded_size(server):
    bomb = gzip.compress(b"\0" * 2_000_000)
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    assert len(bomb) < 10_000
    with pytest.raises(safehttp.TooLarge):
        fetch(url, policy=FetchPolicy(allow_loopback=True, max_bytes=100_000))


def _zeros_compressed(compressor, mebibytes: int) -> bytes:
    block = b"\0" * (1 << 20)
    return b"".join(compressor(block) for _ in range(mebibytes))


def _brotli_bomb() -> bytes:
    packer = brotli.Compressor(quality=5)
    return _zeros_compressed(packer.process, 200) + packer.finish()


def _gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return _zeros_compressed(packer.compress, 200) + packer.flush()


@pytest.mark.parametrize("coding, make_bomb", [("br", _brotli_bomb), ("gzip", _gzip_bomb)])
def test_compression_bomb_is_refused_without_inflating_it_in_memory(server, coding, make_bomb):
    # 200 MiB of zeros in under 300 KB: httpx's decoders inflated each network chunk whole
    # (5 KB of brotli took 3 GB), so the memory peak, not only the verdict, is what counts.
    bomb = make_bomb()
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": coding}))
    tracemalloc.start()
    try:
        with pytest.raises(safehttp.TooLarge):
            fetch(url, policy=FetchPolicy(allow_loopback=True, max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(bomb) < 300_000 and peak < 20_000_000


def test_a_body_compressed_twice_over_is_refused(server):
    # Each layer multiplies the expansion: 7 KB of gzip-in-gzip held 4 GiB of zeros.
    url = server.route(
        "/twice", Reply(body=gzip.compress(gzip.compress(FEED, mtime=0), mtime=0),
                        headers={"Content-Encoding": "gzip, gzip"}),
    )  # fmt: skip
    with pytest.raises(safehttp.ConnectionFailed, match="compressed 2 times"):
        fetch(url, policy=LOOPBACK)


@pytest.mark.parametrize(
    "coding, packed",
    [
        ("br", brotli.compress(FEED)),
        ("deflate", zlib.compress(FEED)),
        ("deflate", zlib.compress(FEED, wbits=-15)),  # raw deflate, as some servers send it
        ("x-gzip", gzip.compress(FEED, mtime=0)),
        ("UTF-8", FEED),  # a misconfigured server naming a charset: read as it is
    ],
    ids=["br", "deflate", "raw-deflate", "x-gzip", "charset-as-coding"],
)
def test_each_content_coding_is_undone(server, coding, packed):
    url = server.route("/feed.xml", Reply(body=packed, headers={"Content-Encoding": coding}))
    assert fetch(url, policy=LOOPBACK).body == FEED


def test_loopback_is_refused_unless_allowed(server):
    url = server.route("/feed.xml", Reply(body=FEED))
    with pytest.raises(safehttp.BlockedAddress, match="loopback"):
        fetch(url)
    assert server.requests == []


def test_redirect_to_a_private_address_is_refused(server):
    url = server.route("/go", Reply(status=302, headers={"Location": "http://10.1.2.3/feed"}))
    with pytest.raises(safehttp.BlockedAddress, match="private"):
        fetch(url, policy=LOOPBACK)


def test_redirect_to_another_scheme_is_refused(server):
    url = server.route("/go", Reply(status=301, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(safehttp.UnsupportedScheme):
        fetch(url, policy=LOOPBACK)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_other_schemes_are_refused(url):
    with pytest.raises(safehttp.UnsupportedScheme):
        fetch(url)


def resolver_answering(*answers: list[str]):
    """A resolver that gives each answer in turn: a name whose DNS changes between lookups."""
    queue = list(answers)
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


def test_connects_to_the_address_it_checked(server):
    # The name is unknown to any DNS; the fetcher reaches the server only through the answer
    # it checked, which proves it connects to that address rather than resolving again.
    server.route("/feed.xml", Reply(body=FEED))
    resolve = resolver_answering(["127.0.0.1"])
    result = fetch(f"http://feeds.invalid:{server.port}/feed.xml", policy=LOOPBACK, resolve=resolve)
    assert result.body == FEED and resolve.asked == ["feeds.invalid"]


def test_dns_rebinding_to_a_private_address_is_refused_on_the_redirect(server):
    # First lookup: loopback (allowed here). The redirect goes to another name whose answer is
    # private: refused before any connection.
    server.route("/go", Reply(status=302, headers={"Location": "http://rebind.invalid/feed"}))
    resolve = resolver_answering(["127.0.0.1"], ["192.168.0.10"])
    with pytest.raises(safehttp.BlockedAddress, match=r"192\.168\.0\.10"):
        fetch(f"http://first.invalid:{server.port}/go", policy=LOOPBACK, resolve=resolve)


def test_a_name_with_any_forbidden_answer_is_refused(server):
    resolve = resolver_answering(["93.184.216.34", "169.254.169.254"])
    with pytest.raises(safehttp.BlockedAddress, match="link-local"):
        fetch("http://mixed.invalid/feed", resolve=resolve)


def test_client_reuses_connections_across_fetches(server):
    server.route("/a", Reply(body=FEED))

    async def twice():
        async with SafeClient(LOOPBACK) as client:
            first = await client.get(server.url("/a"))
            second = await client.get(server.url("/a"))
            return first, second

    first, second = asyncio.run(twice())
    assert first.body == second.body == FEED


@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:a00:1::", "private"),  # 6to4 wrapping 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ],
)
def test_forbidden_addresses(address, reason):
    assert refusal_reason(ipaddress.ip_address(address), allow_loopback=False) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass(address):
    assert refusal_reason(ipaddress.ip_address(address), allow_loopback=False) is None


def test_allowing_loopback_allows_nothing_else():
    assert refusal_reason(ipaddress.ip_address("127.0.0.2"), allow_loopback=True) is None
    assert refusal_reason(ipaddress.ip_address("::ffff:127.0.0.1"), allow_loopback=True) is None
    assert refusal_reason(ipaddress.ip_address("10.0.0.1"), allow_loopback=True) == "private"
