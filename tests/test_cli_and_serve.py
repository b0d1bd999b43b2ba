"""The `dateline` command as a user meets it: help, configuration errors, and a real server."""

import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.processes import REPO, isolated_env, start_dateline
from tests.support.processes import dateline as run_dateline


def dateline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """These tests are about how the command answers, failures included: no check."""
    return run_dateline(*args, env=env, check=False, timeout=60)


@pytest.fixture
def site_env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path / "var")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_help_lists_the_main_subcommands(site_env):
    result = dateline("--help", env=site_env)
    assert result.returncode == 0
    for name in ("serve", "worker", "demo", "migrate", "backup"):
        assert f"\n  {name} " in result.stdout


def test_production_without_a_secret_key_refuses_to_start_with_one_line(site_env):
    site_env.update(DATELINE_ENV="production", DATELINE_ALLOWED_HOSTS="news.example.org")
    result = dateline("serve", "--port", "1", env=site_env)
    assert result.returncode == 2
    assert "DATELINE_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_on_the_given_port_with_static_files(site_env):
    assert dateline("migrate", "-v", "0", env=site_env).returncode == 0
    port = free_port()
    server = start_dateline("serve", "--port", str(port), "--workers", "1", env=site_env)
    try:
        login = first_answer(server, f"http://127.0.0.1:{port}/admin/login/")
        assert login.status_code == 200
        css = httpx.get(f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=5)
        assert css.status_code == 200 and "body" in css.text
        missing = httpx.get(f"http://127.0.0.1:{port}/no/such/page/", timeout=5)
        assert missing.status_code == 404 and "Page not found" in missing.text
    finally:
        server.terminate()
        server.wait(timeout=30)


def first_answer(server: subprocess.Popen[str], url: str, **request: object) -> httpx.Response:
    """GET `url` once the server started in `server` listens (its output if it stops first)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=2, **request)  # type: ignore[arg-type]
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read() if server.stdout else "no output"
                raise AssertionError(output) from None
            time.sleep(0.2)


@pytest.mark.parametrize("behind_proxy", [False, True], ids=["direct", "behind-tls-proxy"])
def test_production_believes_a_claim_of_https_only_behind_a_tls_proxy(site_env, behind_proxy):
    # Before, production trusted X-Forwarded-Proto from anyone: a client talking straight to the
    # app server could pass for https (and gunicorn trusted it from any local process).
    site_env.update(
        DATELINE_ENV="production",
        DATELINE_SECRET_KEY="a-test-secret-key-that-is-long-enough-for-the-checks-0123456789",
        DATELINE_ALLOWED_HOSTS="127.0.0.1",
        DATELINE_BEHIND_TLS_PROXY=str(behind_proxy).lower(),
    )
    assert dateline("migrate", "-v", "0", env=site_env).returncode == 0
    port = free_port()
    server = start_dateline("serve", "--port", str(port), "--workers", "1", env=site_env)
    try:
        claimed = first_answer(
            server, f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"}
        )
        plain = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert claimed.status_code == plain.status_code == 200
    # Behind a TLS proxy but without the setting, the desk's sign-in fails: serve says so.
    assert ("DATELINE_BEHIND_TLS_PROXY is not set" in output) is not behind_proxy
    scheme = "https" if behind_proxy else "http"
    assert f'<link rel="canonical" href="{scheme}://127.0.0.1:{port}/">' in claimed.text
    assert f'<link rel="canonical" href="http://127.0.0.1:{port}/">' in plain.text
    # HSTS only on an answer that went out over https (a browser ignores it on plain HTTP), with
    # the short default and without subdomains or preloading, which are hard to take back.
    hsts = "max-age=3600" if behind_proxy else None
    assert claimed.headers.get("Strict-Transport-Security") == hsts
    assert "Strict-Transport-Security" not in plain.headers


DOCUMENTED_DEPLOY_WARNINGS = re.compile(r"`(security\.W[0-9]+)`")


def test_every_deploy_check_warning_in_production_is_explained(site_env):
    # Before, production had no HSTS at all (security.W004); what the check still says is a
    # deliberate default, each explained in docs/operations.md.
    site_env.update(
        DATELINE_ENV="production",
        DATELINE_SECRET_KEY="a-test-secret-key-that-is-long-enough-for-the-checks-0123456789",
        DATELINE_ALLOWED_HOSTS="news.example.org",
        DATELINE_BEHIND_TLS_PROXY="true",
    )
    result = dateline("check", "--deploy", env=site_env)
    warned = set(re.findall(r"\(security\.(W[0-9]+)\)", result.stdout + result.stderr))
    explained = DOCUMENTED_DEPLOY_WARNINGS.findall((REPO / "docs" / "operations.md").read_text())
    assert "W004" not in warned
    assert warned <= {name.removeprefix("security.") for name in explained}
    assert "W005" in warned  # the check runs: subdomains are left out by default


def test_serve_refuses_an_unmigrated_database(site_env):
    result = dateline("serve", "--port", str(free_port()), env=site_env)
    assert result.returncode != 0
    assert "dateline migrate" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("worker", "--once"), ("stories", "export-pairs")],
    ids=["worker", "export-pairs"],
)
def test_commands_on_an_unmigrated_database_refuse_in_one_line(site_env, args):
    result = dateline(*args, env=site_env)
    assert result.returncode != 0
    assert "dateline migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_error_in_djangos_own_commands_is_one_line(site_env):
    result = dateline(
        "createsuperuser", "--username", "ed", "--email", "ed@news.example", "--noinput",
        env=site_env,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "dateline: database error: no such table: auth_user" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATELINE_WORKER_TICK_SECONDS", "-1"),
        ("DATELINE_ARTICLE_RETENTION_DAYS", "99999999999"),
        ("DATELINE_TIME_ZONE", "Mars/Olympus"),
        ("DATELINE_LOG_LEVEL", "verbose"),
        ("DATELINE_HSTS_SECONDS", "99999999999"),
        ("DATELINE_DATABASE_URL", "postgres://news:hunter2@db.internal:abc/dateline"),
    ],
)
def test_a_bad_setting_stops_the_worker_at_start_in_one_line(site_env, name, value):
    site_env[name] = value
    result = dateline("worker", "--once", env=site_env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"dateline: configuration error: {name} ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.stderr


def test_an_idle_worker_stops_at_once_on_sigterm(site_env):
    assert dateline("migrate", "-v", "0", env=site_env).returncode == 0
    site_env["DATELINE_WORKER_TICK_SECONDS"] = "120"
    worker = start_dateline("worker", env=site_env)
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().startswith("worker: ")  # then it runs its jobs and idles
        time.sleep(3)
        worker.send_signal(signal.SIGTERM)
        # Before, the sleep resumed after the signal: a service manager's stop waited out the
        # tick, or killed the worker when the tick was longer than its patience.
        output, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, output
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_a_misspelt_setting_is_named_in_a_warning(site_env):
    # Before, the typo was ignored in silence and the site ran on SQLite in the data directory.
    site_env["DATELINE_DATBASE_URL"] = "postgres://news@db.internal/dateline"
    result = dateline("migrate", "-v", "0", env=site_env)
    assert result.returncode == 0
    assert result.stderr == (
        "dateline: warning: DATELINE_DATBASE_URL is not a Dateline setting and is ignored "
        "(did you mean DATELINE_DATABASE_URL?)\n"
    )


def test_the_web_application_freezes_what_it_loaded_out_of_the_collectors_way(site_env):
    # A full collection walked all of Django (some 80 ms, inside some reader's request).
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, dateline.wsgi; print(gc.get_freeze_count())",
        ],
        cwd=REPO,
        env=site_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert int(loaded.stdout.strip()) > 10_000
