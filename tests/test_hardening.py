"""Issue #22, Hardening: what a hostile or clumsy operator found, each tried as they tried it.

Written over the CLI and HTTP, against behaviour: the Serving, Comments and Desk issues rewrite
the modules these items touch, and this file must keep passing.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services as comments
from dateline.wire.tests.feedfactory import items, rss
from tests.support import nu_checker
from tests.support.loopback import LoopbackServer, Reply
from tests.support.processes import REPO, dateline, isolated_env, start_dateline

# A key as production wants one; the tests that are about weak keys say so.
STRONG_KEY = "Qh3vTz9-kR2mW8xLp4Nc7Yb1Fd6Gs0Ju5Ea_Vo2Ti8Hw3Kn9Xq4Mr7Bz1Lc6Py0Sg5Dj"
PRODUCTION = {
    "DATELINE_ENV": "production",
    "DATELINE_SECRET_KEY": STRONG_KEY,
    "DATELINE_ALLOWED_HOSTS": "news.example.org",
    "DATELINE_BEHIND_TLS_PROXY": "true",
}
sqlite_suite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's own backup and files: run with the SQLite suite"
)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`dateline ARGS`, for tests about how the command answers, failures included: no check."""
    return dateline(*args, env=env, check=False, timeout=180)


def migrated(env: dict[str, str]) -> dict[str, str]:
    dateline_ok("migrate", "-v", "0", env=env)
    return env


def dateline_ok(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(env: dict[str, str], logs: Path) -> Iterator[str]:
    """`dateline serve` on a free port, yielding its base URL. Its stdout and stderr (the server's
    error log) are in ``logs``/serve.out and serve.err, complete once the block has ended."""
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with (logs / "serve.out").open("w") as out, (logs / "serve.err").open("w") as err:
        server = start_dateline(
            "serve", "--port", str(port), "--workers", "1", env=env, stdout=out, stderr=err
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((logs / "serve.err").read_text())
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def tables(path: Path) -> set[str]:
    database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {
            row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    finally:
        database.close()


# --- 1. A database path holding "#" or "?" is backed up whole; an empty copy is no backup --------


@sqlite_suite_only
def test_backup_of_a_database_whose_path_holds_a_hash_copies_every_table(tmp_path):
    folder = tmp_path / "x#y?z"
    folder.mkdir()
    url = "sqlite:///" + str(folder / "db.sqlite3").replace("#", "%23").replace("?", "%3F")
    env = migrated(isolated_env(tmp_path / "var", DATELINE_DATABASE_URL=url))
    # Before, the copy read an empty database at tmp_path/x (created on the way) and said success.
    dateline_ok("backup", str(tmp_path / "copy.sqlite3"), env=env)
    live = tables(folder / "db.sqlite3")
    assert "django_migrations" in live and len(live) > 10
    assert tables(tmp_path / "copy.sqlite3") == live
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.sqlite3", "var", "x#y?z"]


@sqlite_suite_only
def test_backup_of_a_database_without_dateline_tables_fails(tmp_path):
    env = isolated_env(tmp_path / "var")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "dateline.sqlite3").touch()  # an empty file is an empty SQLite database
    result = cli("backup", str(tmp_path / "copy.sqlite3"), env=env)
    assert result.returncode != 0
    assert "dateline migrate" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "copy.sqlite3").exists()
    assert not list(tmp_path.rglob("*.partial"))


# --- 2. A backup replaces only a backup (or, with --force, a file it may) ----------------------


def special_file(kind: str, folder: Path) -> Path:
    path = folder / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
        listener.close()
    elif kind == "device":  # root only
        # A /dev/null of the test's own: the real one is never put at risk.
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "link-to-fifo":
        os.mkfifo(folder / "real-fifo")
        path.symlink_to(folder / "real-fifo")
    return path


@sqlite_suite_only
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_backup_never_replaces_what_is_not_a_regular_file(tmp_path, force):
    env = migrated(isolated_env(tmp_path / "var"))
    kinds = ["fifo", "socket", "link-to-fifo"] + (["device"] if os.geteuid() == 0 else [])
    for kind in kinds:
        target = special_file(kind, tmp_path)
        before = os.stat(target).st_mode
        result = cli("backup", str(target), *(["--force"] if force else []), env=env)
        assert result.returncode != 0, kind
        assert "not a regular file" in result.stderr and "Traceback" not in result.stderr
        assert os.stat(target).st_mode == before, kind
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.partial"))


@sqlite_suite_only
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_backup_never_replaces_the_secret_key_or_uploads(tmp_path, force):
    env = migrated(isolated_env(tmp_path / "var"))
    key = tmp_path / "var" / "secret_key"
    key_text = key.read_text()
    picture = tmp_path / "var" / "media" / "2026" / "harbour.jpg"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(b"\xff\xd8 a picture")
    for target in (key, picture, picture.with_name("new.sqlite3"), picture.parent):
        result = cli("backup", str(target), *(["--force"] if force else []), env=env)
        assert result.returncode != 0, target
        assert "Traceback" not in result.stderr
    assert key.read_text() == key_text
    assert sorted(p.name for p in picture.parent.iterdir()) == ["harbour.jpg"]
    assert picture.read_bytes() == b"\xff\xd8 a picture"


@sqlite_suite_only
def test_backup_replaces_an_existing_file_only_when_it_is_a_backup_or_forced(tmp_path):
    env = migrated(isolated_env(tmp_path / "var"))
    notes = tmp_path / "notes.txt"
    notes.write_text("the editor's notes")
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE accounts (id INTEGER)").connection.close()
    for target in (notes, other):
        result = cli("backup", str(target), env=env)
        assert result.returncode != 0 and "--force" in result.stderr
    assert notes.read_text() == "the editor's notes" and tables(other) == {"accounts"}
    # A backup of Dateline's is replaced by the next one; anything else only when forced.
    dateline_ok("backup", str(tmp_path / "nightly.sqlite3"), env=env)
    dateline_ok("backup", str(tmp_path / "nightly.sqlite3"), env=env)
    dateline_ok("backup", str(notes), "--force", env=env)
    assert "django_migrations" in tables(notes)


# --- 3. A folder target gets a new dated file, in a folder made private ------------------------


@sqlite_suite_only
def test_backup_to_a_missing_folder_creates_it_private_with_a_dated_copy(tmp_path):
    env = migrated(isolated_env(tmp_path / "var"))
    dateline_ok("backup", f"{tmp_path / 'backups'}/", env=env)
    folder = tmp_path / "backups"
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700
    [copy] = folder.iterdir()
    assert copy.name.startswith("dateline-") and copy.name.endswith(".sqlite3")
    assert "django_migrations" in tables(copy)


@sqlite_suite_only
def test_backups_into_a_folder_never_take_an_existing_name(tmp_path):
    env = migrated(isolated_env(tmp_path / "var"))
    folder = tmp_path / "backups"
    folder.mkdir()
    # Every name the next two minutes would give is taken, as by runs a moment before.
    now = datetime.now(UTC)
    taken = {
        f"dateline-{(now + timedelta(seconds=s)):%Y%m%d-%H%M%S}.sqlite3" for s in range(-5, 120)
    }
    for name in taken:
        (folder / name).write_text("an earlier run's copy")
    dateline_ok("backup", str(folder), env=env)
    dateline_ok("backup", str(folder), env=env)
    new = {p.name for p in folder.iterdir()} - taken
    assert len(new) == 2
    assert all("django_migrations" in tables(folder / name) for name in new)
    assert all((folder / name).read_text() == "an earlier run's copy" for name in taken)


# --- 4. A data directory holding "#" or "?" keeps the database inside it -----------------------


def test_a_data_directory_whose_path_holds_a_hash_keeps_the_database_inside(tmp_path):
    data_dir = tmp_path / "news#desk?2026"
    dateline_ok("migrate", "-v", "0", env=isolated_env(data_dir))
    assert "django_migrations" in tables(data_dir / "dateline.sqlite3")
    assert [p.name for p in tmp_path.iterdir()] == [data_dir.name]


# --- 5. A 500 under `dateline serve` leaves its traceback in the server's error log ------------


@sqlite_suite_only
def test_an_unhandled_exception_is_logged_with_method_and_path_not_body_or_cookies(tmp_path):
    env = migrated(
        isolated_env(tmp_path / "var", **{**PRODUCTION, "DATELINE_ALLOWED_HOSTS": "127.0.0.1"})
    )
    database = sqlite3.connect(tmp_path / "var" / "dateline.sqlite3")
    database.execute("ALTER TABLE blog_post RENAME TO blog_post_lost")  # a fault the site meets
    database.commit()
    database.close()
    with serving(env, tmp_path / "logs") as site:
        answer = httpx.request(
            "GET",
            f"{site}/?page=1&token=query-secret",
            cookies={"sessionid": "cookie-secret-0123456789abcdef"},
            content=b"comment=body-secret",
            timeout=30,
        )
    assert answer.status_code == 500
    log = (tmp_path / "logs" / "serve.err").read_text()
    assert "Traceback (most recent call last)" in log
    assert "GET /:" in log and "no such table: blog_post" in log
    for secret in ("cookie-secret", "body-secret", "query-secret"):
        assert secret not in log


# --- 6. A damaged secret key file stops every command in one line -------------------------------


@pytest.mark.parametrize(
    ("damage", "command"),
    [
        ("empty", ("check",)),
        ("blank", ("worker", "--once")),
        ("binary", ("migrate",)),
        ("folder", ("check", "--deploy")),
    ],
)
def test_a_damaged_secret_key_file_stops_every_command_in_one_line(tmp_path, damage, command):
    env = isolated_env(tmp_path / "var")
    key = tmp_path / "var" / "secret_key"
    key.parent.mkdir()
    content = {"empty": b"", "blank": b" \n", "binary": b"\xff\xfe\x00\x9c key", "folder": None}
    if damage == "folder":
        key.mkdir()  # unreadable as a file, even to root
    else:
        key.write_bytes(content[damage])
    result = cli(*command, env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(key) in line and "delete it" in line and "signs everyone out" in line
    # Never replaced in silence.
    assert key.is_dir() if damage == "folder" else key.read_bytes() == content[damage]


# --- 7. Production refuses a weak key and the demo account; warns of any host -------------------


@pytest.mark.parametrize(
    ("key", "command"),
    [
        ("short-but-random-Xq4Mr7Bz1Lc6", ("serve", "--port", "1")),
        ("ab" * 40, ("worker", "--once")),
        ("django-insecure-" + STRONG_KEY, ("check", "--deploy")),
    ],
    ids=["short", "few-characters", "django-placeholder"],
)
def test_production_refuses_a_weak_secret_key(tmp_path, key, command):
    env = isolated_env(tmp_path / "var", **{**PRODUCTION, "DATELINE_SECRET_KEY": key})
    result = cli(*command, env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "DATELINE_SECRET_KEY" in line and "secrets.token_urlsafe(50)" in line


def test_production_refuses_the_demo_account_until_its_password_changes(database_env):
    dateline_ok("demo", env=database_env)  # the demo runs in development
    production = {**database_env, **PRODUCTION}
    for command in (("worker", "--once"), ("serve", "--port", "1")):
        refused = cli(*command, env=production)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert "`editor` account" in refused.stderr and "changepassword editor" in refused.stderr
    # 15: `check --deploy` fails on it too.
    checked = cli("check", "--deploy", env=production)
    assert checked.returncode != 0 and "dateline.E001" in checked.stderr
    set_password = (
        "from django.contrib.auth.models import User; u = User.objects.get(username='editor'); "
        "u.set_password('a-password-of-its-own-4721'); u.save()"
    )
    dateline_ok("shell", "-c", set_password, env=production)
    dateline_ok("worker", "--once", env=production)
    assert "dateline.E001" not in cli("check", "--deploy", env=production).stderr


def test_production_serve_warns_loudly_of_any_host(tmp_path):
    env = migrated(isolated_env(tmp_path / "var", **{**PRODUCTION, "DATELINE_ALLOWED_HOSTS": "*"}))
    with serving(env, tmp_path / "logs"):
        pass
    assert "WARNING: DATELINE_ALLOWED_HOSTS='*'" in (tmp_path / "logs" / "serve.err").read_text()


# --- 8. The data directory and the database are their owner's alone -----------------------------


@sqlite_suite_only
def test_the_data_directory_and_the_database_files_are_private(tmp_path):
    data_dir = tmp_path / "var"
    env = migrated(isolated_env(data_dir))
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    # The worker holds the database open, so its -wal and -shm files are there to look at.
    worker = start_dateline("worker", env={**env, "DATELINE_WORKER_TICK_SECONDS": "60"})
    try:
        assert worker.stdout is not None and worker.stdout.readline().startswith("worker: ")
        database = data_dir / "dateline.sqlite3"
        files = [database, database.with_name(database.name + "-wal")]
        files.append(database.with_name(database.name + "-shm"))
        deadline = time.monotonic() + 60
        while not all(path.exists() for path in files) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {
            path.name: 0o600 for path in files
        }
    finally:
        worker.terminate()
        worker.communicate(timeout=60)


# --- 14. /healthz for load balancers ----------------------------------------------------------


def unapply_last_migration(env: dict[str, str]) -> None:
    """As when new code is deployed and `dateline migrate` forgotten."""
    forget = "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)"
    url = env.get("DATELINE_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as database:
            database.execute(forget)
    else:
        database = sqlite3.connect(Path(env["DATELINE_DATA_DIR"]) / "dateline.sqlite3")
        database.execute(forget)
        database.commit()
        database.close()


def test_healthz_answers_any_host_without_cookies_or_caching(database_env, tmp_path):
    env = migrated({**database_env, **PRODUCTION})
    with serving(env, tmp_path / "logs") as site:
        stranger = {"Host": "10.0.0.7:8000"}  # a balancer asks by address, not by name
        healthy = httpx.get(f"{site}/healthz", headers=stranger, timeout=30)
        head = httpx.head(f"{site}/healthz", headers=stranger, timeout=30)
        page = httpx.get(f"{site}/", headers=stranger, timeout=30)
        unapply_last_migration(env)
        behind = httpx.get(f"{site}/healthz", headers={"Host": "news.example.org"}, timeout=30)
    assert page.status_code == 400  # the site itself still keeps to its hosts
    assert (healthy.status_code, healthy.text) == (200, "ok\n")
    assert (head.status_code, head.content) == (200, b"")
    assert behind.status_code == 503 and "migrations" in behind.text
    for answer in (healthy, head, behind):
        assert answer.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in answer.headers


@sqlite_suite_only
def test_healthz_without_its_database_answers_503_and_creates_none(tmp_path):
    env = migrated(isolated_env(tmp_path / "var", **PRODUCTION))
    database = tmp_path / "var" / "dateline.sqlite3"
    with serving(env, tmp_path / "logs") as site:
        assert httpx.get(f"{site}/healthz", timeout=30).status_code == 200
        database.rename(tmp_path / "moved-away.sqlite3")
        missing = httpx.get(f"{site}/healthz", timeout=30)
    assert missing.status_code == 503
    assert not database.exists()


# --- 15. `dateline check --deploy` fails on Dateline's own faults -------------------------------


# (The demo account: see test_production_refuses_the_demo_account_until_its_password_changes.)


@sqlite_suite_only
def test_check_deploy_fails_on_private_files_open_to_others(tmp_path):
    env = migrated(isolated_env(tmp_path / "var", **PRODUCTION))
    dateline_ok("check", "--deploy", env=env)  # as made: private
    database = tmp_path / "var" / "dateline.sqlite3"
    database.chmod(0o644)
    (tmp_path / "var").chmod(0o755)
    result = cli("check", "--deploy", env=env)
    assert result.returncode != 0
    assert f"chmod 600 {database}" in result.stderr
    assert f"chmod 700 {tmp_path / 'var'}" in result.stderr


def test_check_deploy_fails_on_any_host(tmp_path):
    env = isolated_env(tmp_path / "var", **{**PRODUCTION, "DATELINE_ALLOWED_HOSTS": "*"})
    result = cli("check", "--deploy", env=migrated(env))
    assert result.returncode != 0 and "dateline.E005" in result.stderr


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


# --- 12. A NUL in a comment field names the field and why; controls are never echoed ---------
# It answered "Please check the fields below." with no field error, and echoed the NUL back.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "label"), [("body", "Comment"), ("author_name", "Name"), ("email", "Email")]
)
def test_a_nul_byte_names_its_field_and_is_never_echoed(client, field, label):
    post = blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)
    fields = {
        "author_name": "Sam",
        "email": "",
        "body": "Interesting point.",
        "website": "",
        "stamp": comments.form_stamp(timezone.now() - timedelta(minutes=1)),
    }
    fields[field] = "Before\x00after\x01"
    answer = client.post(f"/comments/post/{post.pk}/", fields)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Please check the fields below." not in page
    assert f"<strong>{label}:</strong>" in page and "NUL character" in page
    assert "\x00" not in page and "\x01" not in page
    assert "Beforeafter" in page  # what the reader typed is kept, less the control characters
    assert 'aria-invalid="true"' in page
    assert not post.comments.exists()


# --- Helpers for items 10 and 11: a real `dateline serve` -----------------------------------------


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
