"""Issue #22, Hardening: what a hostile or clumsy operator found, each tried as they tried it.

Written over the CLI and HTTP, against behaviour: the Serving, Comments and Desk issues rewrite
the modules these items touch, and this file must keep passing.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from dateline.wire.tests.feedfactory import items, rss
from tests.support import nu_checker
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import dateline, isolated_env, start_dateline

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
