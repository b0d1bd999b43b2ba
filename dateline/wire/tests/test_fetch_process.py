"""The poll cycle's fetch loop in a process of its own: answers, errors and endings cross intact.

A real loopback server, a real fetch process from the fork server; no database."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time

import pytest

from dateline.core.safehttp import BlockedAddress, ConnectionFailed, FetchPolicy
from dateline.wire.pipeline.fetch import FetchProcessFailed, PollLimits, Request, fetch_all
from tests.support.loopback import LoopbackServer, Reply

LOOPBACK = FetchPolicy(allow_loopback=True, connect_timeout=2, read_timeout=2, total_timeout=3)


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def fetch_processes() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name == "dateline-fetch"]


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_answers_and_errors_cross_from_the_fetch_process_intact(server):
    body = b"<rss>" + bytes(range(256)) * 400 + b"</rss>"
    feed = server.route("/feed", Reply(body=body, etag='"v1"', headers={"Last-Modified": "x"}))
    requests = [
        Request(1, feed),
        Request(2, feed, etag='"v1"'),
        Request(3, f"http://127.0.0.1:{closed_port()}/gone"),
    ]
    answers = {a.request.key: a for a in fetch_all(requests, policy=LOOPBACK, own_process=True)}
    assert answers[1].result is not None and answers[1].result.body == body
    assert answers[1].result.header("etag") == '"v1"'
    assert answers[2].result is not None and answers[2].result.not_modified
    refused = answers[3].error
    assert isinstance(refused, ConnectionFailed) and refused.url == requests[2].url
    assert str(refused).startswith(requests[2].url + ": ")

    # The address guard runs in the fetch process too, and says so with its own error.
    (blocked,) = fetch_all([Request(4, feed)], policy=FetchPolicy(), own_process=True)
    assert isinstance(blocked.error, BlockedAddress) and "loopback" in str(blocked.error)


def test_a_failing_fetch_loop_sends_back_a_record_with_its_traceback(server):
    # A bug in the fetch loop (here: a limit no semaphore accepts) is not a feed's fault: the
    # poller gets its kind, message and the fetch process's own traceback, not a bare string.
    url = server.route("/feed", Reply(body=b"<rss/>"))
    broken = PollLimits(per_host=-1)
    with pytest.raises(FetchProcessFailed) as failed:
        list(fetch_all([Request(1, url)], policy=LOOPBACK, limits=broken, own_process=True))
    crash = failed.value.crash
    assert crash is not None and crash.kind == "ValueError"
    assert "initial value must be >= 0" in crash.message
    assert crash.traceback.startswith("Traceback") and "in _fetch_one" in crash.traceback
    assert fetch_processes() == []


def test_a_custom_resolver_cannot_be_sent_to_the_fetch_process(server):
    async def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with pytest.raises(ValueError, match="resolver"):
        list(fetch_all([Request(1, server.url("/x"))], policy=LOOPBACK, resolve=resolve,
                       own_process=True))  # fmt: skip


def test_a_consumer_that_stops_early_ends_the_fetch_process(server):
    slow = FetchPolicy(allow_loopback=True, total_timeout=30, read_timeout=30)
    server.route("/quick", Reply(body=b"ok"))
    server.route("/hangs", Reply(body=b"late", delay=20))
    requests = [Request(0, server.url("/quick"))] + [
        Request(n, server.url("/hangs")) for n in range(1, 4)
    ]
    answers = fetch_all(requests, policy=slow, own_process=True)
    assert next(answers).request.key == 0
    (process,) = fetch_processes()
    answers.close()  # three fetches still wait on the server
    # It ended by itself when told to (a process that had to be killed exits with -9).
    assert process.exitcode == 0
    assert fetch_processes() == []


CHILD = """
import multiprocessing, sys
from dateline.core.safehttp import FetchPolicy
from dateline.wire.pipeline.fetch import Request, fetch_all

if __name__ == "__main__":
    quick, hangs = sys.argv[1:]
    policy = FetchPolicy(allow_loopback=True, total_timeout=60, read_timeout=60)
    requests = [Request(0, quick)] + [Request(n, hangs) for n in range(1, 20)]
    answers = fetch_all(requests, policy=policy, own_process=True)
    next(answers)
    (process,) = [p for p in multiprocessing.active_children() if p.name == "dateline-fetch"]
    print(process.pid, flush=True)
    next(answers)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}  # a zombie has stopped; whether it is reaped is init's job


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_poller_takes_its_fetch_process_with_it(server, tmp_path):
    quick = server.route("/quick", Reply(body=b"ok"))
    hangs = server.route("/hangs", Reply(body=b"late", delay=30))
    script = tmp_path / "poller.py"
    script.write_text(CHILD)
    poller = subprocess.Popen([sys.executable, str(script), quick, hangs], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        assert poller.stdout is not None
        fetcher = int(poller.stdout.readline())
        assert alive(fetcher)
        os.kill(poller.pid, signal.SIGKILL)  # the poller alone, as an OOM killer would
        poller.wait()
        # It notices its poller is gone and stops, long before the server would answer.
        deadline = time.monotonic() + 15
        while alive(fetcher) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(fetcher)
    finally:
        poller.kill()
        poller.wait()
