"""`dateline feeds ...` and `dateline poll` as a user runs them: real processes, a real loopback
server, a real SQLite database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dateline.wire.tests.feedfactory import items, rss
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import REPO, dateline, isolated_env, start_dateline


@pytest.fixture(scope="module")
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = isolated_env(tmp_path / "var")
    dateline("migrate", "-v", "0", env=environ)
    return environ


def ok(*args: str, env: dict[str, str]) -> str:
    done = dateline(*args, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def one_line_failure(*args: str, env: dict[str, str]) -> str:
    done = dateline(*args, env=env, check=False)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    return done.stderr


def test_add_by_feed_url_then_poll_once_then_list(server, env):
    url = server.route("/cli/rss", Reply(body=rss(items(3, prefix="cli"))))
    assert f"following {url} (Test outlet)" in ok("feeds", "add", url, env=env)
    polled = ok("poll", "--once", env=env)
    assert "polled 1 feeds: 1 ok" in polled and "3 new articles" in polled
    listed = ok("feeds", "list", env=env)
    assert url in listed and "ok (200)" in listed
    # Polled again at once: nothing is due.
    assert "no feeds are due" in ok("poll", "--once", env=env)


def test_add_by_site_url_discovers_its_feed(server, env):
    feed_url = server.route("/site/feed.xml", Reply(body=rss(items(1, prefix="site"))))
    page = (
        b"<html><head><title>Site</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/site/feed.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="/site/atom.xml">'
        b"</head><body>home</body></html>"
    )
    site = server.route("/site/", Reply(body=page, headers={"Content-Type": "text/html"}))
    out = ok("feeds", "add", site, "--outlet", "The Site", env=env)
    assert f"following {feed_url} (The Site)" in out
    assert "also names: " + server.url("/site/atom.xml") in out


def test_opml_round_trip(server, env, tmp_path):
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="World">'
        f'<outline type="rss" text="A" xmlUrl="{server.url("/o/a")}"/>'
        f'<outline type="rss" text="B" xmlUrl="{server.url("/o/b")}"/>'
        "</outline></body></opml>"
    )
    assert "2 feeds added, 0 already followed" in ok("feeds", "import-opml", str(opml), env=env)
    assert "0 feeds added, 2 already followed" in ok("feeds", "import-opml", str(opml), env=env)
    exported = ET.fromstring(ok("feeds", "export-opml", env=env))
    outlines = exported.findall(".//outline[@xmlUrl]")
    assert sorted(o.get("xmlUrl") for o in outlines) == [server.url("/o/a"), server.url("/o/b")]
    out_file = tmp_path / "out.opml"
    ok("feeds", "export-opml", "-o", str(out_file), env=env)
    assert ET.parse(out_file).find(".//outline[@xmlUrl]") is not None


def test_poll_reports_failing_feeds_and_list_shows_them(server, env):
    url = server.route("/cli/broken", Reply(status=500))
    server.route("/cli/good", Reply(body=rss(items(1, prefix="good"))))
    opml = Path(env["DATELINE_DATA_DIR"]).parent / "two.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline type="rss" text="Broken" xmlUrl="{url}"/>'
        f'<outline type="rss" text="Good" xmlUrl="{server.url("/cli/good")}"/>'
        "</body></opml>"
    )
    ok("feeds", "import-opml", str(opml), env=env)
    polled = ok("poll", "--once", env=env)
    assert "1 ok" in polled and "1 failed" in polled and f"{url}: HTTP 500" in polled
    assert "1 errors: HTTP 500" in ok("feeds", "list", env=env)


@pytest.mark.parametrize(
    "args, message",
    [
        (("feeds", "add", "not a url"), "not a web address"),
        (("feeds", "add", "ftp://example.org/feed"), "not a web address"),
        (("feeds", "add", "{missing}"), "HTTP 404"),
        (("feeds", "add", "{html}"), "neither a feed nor a page that links to one"),
        (("feeds", "import-opml", "/no/such/file.opml"), "cannot read"),
        (("feeds", "import-opml", "{bad_opml}"), "not well-formed"),
    ],
    ids=["not-a-url", "scheme", "404", "html-without-feeds", "no-file", "bad-opml"],
)
def test_errors_are_one_line_and_exit_non_zero(server, env, tmp_path, args, message):
    bad_opml = tmp_path / "bad.opml"
    bad_opml.write_text("<opml><body><outline")
    html = server.route("/cli/page", Reply(body=b"<html><body>no feeds</body></html>",
                                           headers={"Content-Type": "text/html"}))  # fmt: skip
    values = {"missing": server.url("/cli/missing"), "html": html, "bad_opml": str(bad_opml)}
    assert message in one_line_failure(*(a.format(**values) for a in args), env=env)


def test_commands_refuse_an_unmigrated_database_in_one_line(tmp_path):
    environ = isolated_env(tmp_path / "empty")
    assert "dateline migrate" in one_line_failure("poll", "--once", env=environ)
    assert "dateline migrate" in one_line_failure("feeds", "list", env=environ)


def test_poll_on_a_terminal_draws_a_progress_bar(server, env):
    for n in range(3):
        ok("feeds", "add", server.route(f"/tty/{n}", Reply(body=rss(items(1, prefix=f"t{n}")))),
           env=env)  # fmt: skip
    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dateline.cli", "poll", "--once"],
            cwd=REPO, env=env, stdout=terminal, stderr=subprocess.PIPE, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        shown = os.read(controller, 65536).decode()
    finally:
        os.close(controller)
        os.close(terminal)
    assert "\rpolling [" in shown and "3/3 feeds, 3 new, 0 errors" in shown
    assert "polled 3 feeds: 3 ok" in shown


def stopped_within(poller: subprocess.Popen[str], seconds: float) -> float:
    """Sends SIGTERM to `poller` and returns how long it took to exit (fails past `seconds`)."""
    sent = time.monotonic()
    poller.send_signal(signal.SIGTERM)
    try:
        poller.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        poller.kill()
        poller.wait()
        raise AssertionError(f"{poller.args} was still running {seconds} s after SIGTERM") from None
    assert poller.returncode == 0
    return time.monotonic() - sent


def test_sigterm_stops_an_idle_poll_within_a_second(server, env):
    ok("feeds", "add", server.route("/term/idle", Reply(body=rss(items(1, prefix="ti")))), env=env)
    slow_tick = {**env, "DATELINE_WORKER_TICK_SECONDS": "60", "PYTHONUNBUFFERED": "1"}
    poller = start_dateline("poll", env=slow_tick)
    assert poller.stdout is not None
    # Its first round polls the one due feed; then it sleeps until the next tick.
    assert "polled 1 feeds" in poller.stdout.readline()
    time.sleep(0.5)
    assert stopped_within(poller, 3) < 2.5


# docs/operations.md: a worker told to stop finishes the batch in hand, but a poll batch (up to
# 500 feeds, a slow server up to a minute each) it leaves as `dateline poll` does.
@pytest.mark.parametrize("command", ["poll", "worker"])
def test_sigterm_abandons_a_feed_still_being_fetched_and_gives_it_back(server, env, command):
    quick = server.route(f"/term/{command}/quick", Reply(body=rss(items(2, prefix="tq"))))
    hangs = server.route(f"/term/{command}/hangs", Reply(body=rss(items(1, prefix="th"))))
    ok("feeds", "add", quick, env=env)
    ok("feeds", "add", hangs, env=env)
    server.route(f"/term/{command}/hangs", Reply(body=rss(items(1, prefix="th")), delay=30))
    poller = start_dateline(command, "--once", env=env)
    deadline = time.monotonic() + 60
    while len(server.hits(f"/term/{command}/hangs")) < 2:  # the first was `feeds add`'s
        assert poller.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1)  # the quick feed's answer is stored meanwhile
    assert stopped_within(poller, 5) < 3
    database = sqlite3.connect(Path(env["DATELINE_DATA_DIR"]) / "dateline.sqlite3")
    rows = dict(database.execute("SELECT url, claimed_until IS NULL FROM wire_feed").fetchall())
    articles = database.execute("SELECT count(*) FROM wire_article").fetchone()[0]
    database.close()
    # The quick feed was stored; the abandoned one wrote nothing and is due again at once.
    assert articles == 2 and rows == {quick: 1, hangs: 1}
    server.route(f"/term/{command}/hangs", Reply(body=rss(items(1, prefix="th"))))
    assert "polled 1 feeds: 1 ok" in ok("poll", "--once", env=env)
