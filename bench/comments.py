"""Benchmark: readers post comments through the real form, SQLite and PostgreSQL, against Isso.

    .venv/bin/python bench/comments.py --json [--clients 20] [--comments 250] [--skip-postgres]

For each database (SQLite in a fresh data directory; PostgreSQL on a throwaway server unless
DATELINE_TEST_POSTGRES_URL is set), `dateline serve` (production settings, the bench-only
settings module bench/comments_settings.py, which only relaxes the comment rate limits) answers on
a free loopback port with one published post. CLIENTS threads each post COMMENTS comments through
the real form flow: fetch the post page (cached, as readers get it), read the form's hidden
fields from it, fill in a name, an email and a body of their own, post it. The moderation policy
is `first-time` with every check on by default (Akismet off: no key), whatever the environment
says. Every answer must be 2xx: a refusal counts as lost. Then the stored comments are counted:

  posted      comments sent (CLIENTS x COMMENTS)
  stored      distinct comments stored (by their text)
  lost        posted - stored
  duplicated  rows beyond one per posted comment
  comments_per_s  posted / wall time of the load

The same load then goes to Isso (its own SQLite, moderation and guard off), served the faster
way measured for it, `isso run` with gevent installed (its WSGI server is then gevent's): each
client posts the comment as Isso's own script does (JSON), without fetching the thread first
(Isso renders the whole thread for every such fetch, which made the run quadratic), so Isso does
less per comment than Dateline, which serves the post page to each reader first.

Last line: one JSON object. Goal: 0 lost and 0 duplicated everywhere; on SQLite at least Isso's
rate measured in the same run. The machine may be shared: compare the rates of one run only.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
STAMP = re.compile(rb'name="stamp" value="([^"]+)"')
ACTION = re.compile(rb'<form class="comment-form" id="respond" method="post" action="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


def text_of(client: int, number: int) -> str:
    return (
        f"Comment {number} from reader {client}: the river rose again overnight, {client}-{number}."
    )


def run_clients(  # type: ignore[no-untyped-def]
    clients: int, comments: int, post_one, warm_path: str, settle: float = 0.0
) -> tuple[int, int, float, list[str]]:
    """Runs the clients; returns (sent, answered 2xx, seconds, first problems).

    Each client first reads `warm_path` once (every server process then holds the page), then
    all wait `settle` seconds together before the timed load starts."""
    answered = [0] * clients
    problems: list[str] = []
    warmed = threading.Barrier(clients + 1)
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT[0], timeout=60)
        connection.request("GET", warm_path)
        connection.getresponse().read()
        warmed.wait()
        start.wait()
        for number in range(comments):
            try:
                status = post_one(connection, index, number)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", PORT[0], timeout=60)
                status = f"{type(error).__name__}"
            if isinstance(status, int) and 200 <= status < 300:
                answered[index] += 1
            elif len(problems) < 5:
                problems.append(f"client {index} comment {number}: {status}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    warmed.wait()
    time.sleep(settle)
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    return clients * comments, sum(answered), time.monotonic() - began, problems


PORT = [0]
# The form refuses a stamp younger than this (dateline.comments.domain.submission.MIN_FILL_TIME).
MIN_FILL_SECONDS = 2.0


def wait_until_readable(stamp: str) -> None:
    """A person reads and types before sending; the bench's readers send at once, so when the page
    was rendered just now (a web process started afresh, with an empty cache) they wait until the
    form is as old as the quickest person could have filled it. The stamp's payload says when."""
    payload = stamp.split(":", 1)[0]
    rendered = float(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    left = rendered + MIN_FILL_SECONDS + 0.05 - time.time()
    if left > 0:
        time.sleep(left)


def dateline_post_one(post_path: str):  # type: ignore[no-untyped-def]
    def post_one(connection: http.client.HTTPConnection, client: int, number: int) -> int:
        connection.request("GET", post_path)
        page = connection.getresponse().read()
        stamp, action = STAMP.search(page), ACTION.search(page)
        if stamp is None or action is None:
            return -1
        wait_until_readable(stamp.group(1).decode())
        body = urlencode(
            {
                "author_name": f"Reader {client}",
                "email": f"reader{client}@example.org",
                "url": "",
                "body": text_of(client, number),
                "parent": "",
                "website": "",
                "stamp": stamp.group(1).decode(),
            }
        )
        connection.request(
            "POST",
            action.group(1).decode(),
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        return response.status

    return post_one


SETUP = """
from dateline.blog import services
from dateline.blog.models import PostStatus
post = services.create_post(headline="Floods in the valley", status=PostStatus.PUBLISHED)
print("POST", post.pk, post.get_absolute_url())
"""

COUNT = """
from django.db.models import Count
from dateline.comments.models import Comment
rows = Comment.objects.filter(post_id={post_id})
print("ROWS", rows.count(), "DISTINCT", rows.values("body").distinct().count(),
      "STATUSES", dict(rows.values_list("status").annotate(n=Count("id"))))
"""


def django(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"django {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


def bench_dateline(database_url: str, clients: int, comments: int) -> dict[str, object]:
    data_dir = Path(tempfile.mkdtemp(prefix="dateline-bench-comments-"))
    env = {
        **os.environ,
        "DATELINE_DATA_DIR": str(data_dir),
        "DATELINE_DATABASE_URL": database_url,
        "DATELINE_ENV": "production",
        "DATELINE_SECRET_KEY": secrets.token_urlsafe(40),
        "DATELINE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATELINE_LOG_LEVEL": "WARNING",
        "DATELINE_COMMENT_MODERATION": "first-time",
        "DATELINE_AKISMET_KEY": "",
        "DJANGO_SETTINGS_MODULE": "comments_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(REPO_ROOT)]),
    }
    django(env, "migrate", "-v", "0")
    _, post_id, post_path = django(env, "shell", "-c", SETUP).split()[-3:]
    port = PORT[0] = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, server, post_path)
        # Every web process caches the page (and its stamp) during the warm-up; the stamp refuses
        # forms sent within two seconds of rendering, as a bot's would be, so readers start after
        # that, as people who read and type would (see wait_until_readable).
        posted, answered, seconds, problems = run_clients(
            clients, comments, dateline_post_one(post_path), post_path, settle=2.1
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    counted = django(env, "shell", "-c", COUNT.format(post_id=post_id))
    found = re.search(r"ROWS (\d+) DISTINCT (\d+)", counted)
    assert found is not None, counted
    rows, distinct = int(found.group(1)), int(found.group(2))
    shutil.rmtree(data_dir, ignore_errors=True)
    stored = distinct
    return {
        "posted": posted,
        "answered_2xx": answered,
        "stored": stored,
        # A refusal counts as lost even if something was stored; so does a comment never stored.
        "lost": max(posted - stored, posted - answered),
        "duplicated": rows - distinct,
        "comments_per_s": round(posted / seconds, 1),
        "problems": problems,
        "statuses": counted.split("STATUSES", 1)[1].strip(),
    }


ISSO_CONFIG = """
[general]
dbpath = {db}
host = http://127.0.0.1:{port}/
[moderation]
enabled = false
[guard]
enabled = false
[server]
listen = http://127.0.0.1:{port}/
[markup]
"""


def isso_post_one(connection: http.client.HTTPConnection, client: int, number: int) -> int:
    # Only the post: Isso's thread answer renders every comment in it (no cache), so fetching it
    # before each post made the load quadratic: 1.5 comments/s here after 900 comments.
    body = json.dumps(
        {
            "text": text_of(client, number),
            "author": f"Reader {client}",
            "email": f"reader{client}@example.org",
            "website": None,
            "parent": None,
            "title": "Floods in the valley",
        }
    )
    connection.request(
        "POST",
        "/new?uri=%2Fpost%2F",
        body=body,
        headers={"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{PORT[0]}"},
    )
    response = connection.getresponse()
    response.read()
    return response.status


def bench_isso(clients: int, comments: int) -> dict[str, object]:
    import sqlite3

    root = Path(tempfile.mkdtemp(prefix="dateline-bench-isso-"))
    port = PORT[0] = free_port()
    config = root / "isso.cfg"
    config.write_text(ISSO_CONFIG.format(db=root / "comments.db", port=port))
    isso = Path(sys.executable).with_name("isso")
    # `isso run` patches with gevent and serves with gevent's WSGI server when gevent is there.
    server = subprocess.Popen(
        [str(isso), "-c", str(config), "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(port, server, "/info")
        posted, answered, seconds, problems = run_clients(
            clients, comments, isso_post_one, "/?uri=%2Fpost%2F"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(root / "comments.db") as db:
        rows, distinct = db.execute(
            "SELECT count(*), count(DISTINCT text) FROM comments"
        ).fetchone()
    shutil.rmtree(root, ignore_errors=True)
    return {
        "posted": posted,
        "answered_2xx": answered,
        "stored": distinct,
        "lost": max(posted - distinct, posted - answered),
        "duplicated": rows - distinct,
        "comments_per_s": round(posted / seconds, 1),
        "problems": problems,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON line (always)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--comments", type=int, default=250, help="comments per client")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    sys.path[:0] = [str(REPO_ROOT)]
    # Stopped from outside, the servers and the throwaway PostgreSQL still go (finally clauses).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    result: dict[str, object] = {}
    isso = bench_isso(args.clients, args.comments)
    print("isso", json.dumps(isso), file=sys.stderr)
    data_dir = Path(tempfile.mkdtemp(prefix="dateline-bench-sqlite-"))
    result["sqlite"] = bench_dateline(
        f"sqlite:///{data_dir}/dateline.sqlite3", args.clients, args.comments
    )
    print("sqlite", json.dumps(result["sqlite"]), file=sys.stderr)
    shutil.rmtree(data_dir, ignore_errors=True)
    if not args.skip_postgres:
        from tests.support.postgres import fresh_database, server_url

        with server_url() as base, fresh_database(base) as url:
            result["postgres"] = bench_dateline(url, args.clients, args.comments)
        print("postgres", json.dumps(result["postgres"]), file=sys.stderr)
    result["isso_comments_per_s"] = isso["comments_per_s"]
    result["isso"] = isso
    print(json.dumps(result))


if __name__ == "__main__":
    main()
