"""Issue #22, Hardening: what a hostile or clumsy operator found, each tried as they tried it.

Written over the CLI and HTTP, against behaviour: the Serving, Comments and Desk issues rewrite
the modules these items touch, and this file must keep passing.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from dateline.wire.tests.feedfactory import items, rss
from tests.support import nu_checker
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import REPO, dateline, isolated_env, start_dateline

# --- 9. Every helper of `dateline poll` or `dateline worker` ends when its parent dies ----------

# Enough feeds for the parse pool and the fetch process (a batch of 24 or more); every fifth
# answers only after a minute, so the batch is still in hand when the poller is killed.
HELPER_FEEDS = 30


def _parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    children, found, todo = _parents(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped (in a container, nobody may reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("command", [("poll", "--once"), ("worker",)])
def test_killing_the_poller_ends_every_helper_process(command, tmp_path):
    env = isolated_env(tmp_path / "var", DATELINE_WORKER_TICK_SECONDS="1")
    with LoopbackServer() as server:
        outlines = []
        for n in range(HELPER_FEEDS):
            body = rss(items(3, prefix=f"feed{n}"), title=f"Feed {n}")
            url = server.route(f"/f/{n}", Reply(body=body, delay=60 if n % 5 == 0 else 0))
            outlines.append(f'<outline type="rss" text="Feed {n}" xmlUrl="{url}"/>')
        opml = tmp_path / "feeds.opml"
        opml.write_text(f'<opml version="2.0"><head/><body>{"".join(outlines)}</body></opml>')
        dateline("migrate", "-v", "0", env=env)
        dateline("feeds", "import-opml", str(opml), env=env)
        poller = start_dateline(
            *command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            # The resource tracker, the fork server, the fetch process and parse workers.
            deadline = time.monotonic() + 120
            while len(descendants(poller.pid)) < 4 or len(server.requests) < HELPER_FEEDS:
                assert poller.poll() is None, "the poller ended before it could be killed"
                assert time.monotonic() < deadline, descendants(poller.pid)
                time.sleep(0.1)
            helpers = descendants(poller.pid)
        finally:
            poller.kill()  # SIGKILL, to the poller alone: its helpers get no word
            poller.wait()
        deadline = time.monotonic() + 10
        while any(running(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = {
            pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:100] for pid in helpers if running(pid)
        }
        for pid in survivors:  # not left behind on this machine, whatever the test found
            os.kill(pid, signal.SIGKILL)
        assert survivors == {}


# --- 13. Pages that show several posts repeat no element id --------------------------------------

ELEMENT_ID = re.compile(rb"""\sid=["']?([^"'\s>]+)""")
LINK_IN_PAGE = re.compile(rb"""href=["']?#([^"'\s>]+)""")


def repeated_ids(html: bytes) -> list[str]:
    counts = Counter(ELEMENT_ID.findall(html))
    return sorted(name.decode() for name, count in counts.items() if count > 1)


@pytest.mark.django_db
def test_pages_of_several_posts_repeat_no_id_and_update_links_reach_their_update(client, tmp_path):
    call_command("demo", stdout=io.StringIO())  # what `make run` serves: posts with updates
    home = client.get("/")
    assert home.status_code == 200
    posts = re.findall(rb'<h3 class="post-title"><a href="([^"]+)"', home.content)
    assert len(posts) >= 2 and b'class="update"' in home.content
    listings = {"home": home.content}
    for label in sorted(set(re.findall(rb'href="(/label/[^"/]+/)"', home.content)))[:5]:
        listings[label.decode()] = client.get(label.decode()).content
    year = re.search(rb'href="/(\d{4})/\d{2}/', home.content)
    assert year is not None
    listings["archive"] = client.get(f"/{year[1].decode()}/").content
    for feed in ("/feeds/atom.xml", "/feeds/rss.xml"):
        listings[feed] = client.get(feed).content.replace(b"&lt;", b"<").replace(b"&quot;", b'"')
    # Before, each post's update was id="update-2": two posts with an update, two of that id.
    assert {name: repeated_ids(html) for name, html in listings.items()} == {
        name: [] for name in listings
    }

    # The update log on a post's page still leads to each of its updates.
    reached = 0
    for path in posts:
        page = client.get(path.decode()).content
        assert repeated_ids(page) == [], path
        ids = set(ELEMENT_ID.findall(page))
        for target in LINK_IN_PAGE.findall(page):
            assert target in ids, (path, target)
            reached += target.startswith(b"update")
    assert reached >= 2

    reason = nu_checker.missing()
    if reason:
        pytest.fail(f"the Nu Html Checker cannot run: {reason}")
    problems = nu_checker.errors({"demo-home": home.content}, tmp_path)
    assert problems == [], "\n".join(str(problem) for problem in problems)


# --- Helpers for items 10 and 11: a real `dateline serve` -----------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(server: subprocess.Popen[str], url: str) -> httpx.Response:
    deadline = time.monotonic() + 90
    while True:
        try:
            return httpx.get(url, timeout=3)
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(server.stdout.read() if server.stdout else "") from None
            time.sleep(0.3)


def stop(server: subprocess.Popen[str]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


_ONE_POST = """
import django
django.setup()
from dateline.blog import services
from dateline.blog.domain.drafts import ProseDraft
services.create_post(
    headline="A post", parts=[ProseDraft("<p>Body.</p>")], status="published", slug="a-post"
)
"""


@pytest.fixture
def site(tmp_path: Path):
    env = isolated_env(tmp_path / "var")
    dateline("migrate", "-v", "0", env=env)
    subprocess.run(
        [sys.executable, "-c", _ONE_POST],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "dateline.settings"},
        check=True,
        timeout=120,
    )
    port = free_port()
    server = start_dateline("serve", "--port", str(port), "--workers", "1", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(server, f"{base}/")
        yield base
    finally:
        stop(server)


# --- 10. Two `dateline serve` on one machine never share state ----------------------------------


def test_two_servers_on_one_machine_share_nothing_and_outlive_each_other(tmp_path):
    # Both see the same home and runtime directories, as two sites of one user do; gunicorn
    # put its control socket there, and the second instance took the first one's.
    home, runtime = tmp_path / "home", tmp_path / "runtime"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    servers, urls = [], []
    for name in ("first", "second"):
        env = isolated_env(tmp_path / name, HOME=str(home), XDG_RUNTIME_DIR=str(runtime))
        dateline("migrate", "-v", "0", env=env)
        port = free_port()
        servers.append(start_dateline("serve", "--port", str(port), "--workers", "1", env=env))
        urls.append(f"http://127.0.0.1:{port}/robots.txt")
    try:
        for server, url in zip(servers, urls, strict=True):
            assert wait_until_answering(server, url).status_code == 200
        assert list(runtime.iterdir()) == []
        assert list(home.iterdir()) == []
        stop(servers[0])
        assert httpx.get(urls[1], timeout=5).status_code == 200
        assert list(runtime.iterdir()) == []
    finally:
        for server in servers:
            if server.poll() is None:
                stop(server)


# --- 11. OPTIONS and TRACE on public pages --------------------------------------------------------

PUBLIC_PAGES = ["/", "/2016/", "/label/nothing/", "/feeds/atom.xml", "/search/?q=x", "/about/"]


@pytest.mark.parametrize("method", ["TRACE", "POST", "PUT", "DELETE", "PATCH"])
def test_public_pages_refuse_methods_they_do_not_take_with_405_and_allow(site, method):
    for path in [*PUBLIC_PAGES, "/2026/01/a-post/", "/2026/01/a-post.html"]:
        answer = httpx.request(method, site + path, timeout=10, headers={"Cookie": "a=b"})
        assert answer.status_code == 405, (path, answer.status_code)
        assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {
            "GET",
            "HEAD",
            "OPTIONS",
        }
        assert "a=b" not in answer.text  # TRACE echoes nothing back


def test_options_on_public_pages_says_what_they_take_without_rendering_them(site):
    for path in PUBLIC_PAGES:
        answer = httpx.options(site + path, timeout=10)
        assert answer.status_code in (200, 204), path
        assert set(answer.headers["Allow"].replace(" ", "").split(",")) == {
            "GET",
            "HEAD",
            "OPTIONS",
        }
        assert answer.content == b""
        # A rendered page carries its validators; an OPTIONS answer has none to carry.
        assert "ETag" not in answer.headers and "Last-Modified" not in answer.headers
