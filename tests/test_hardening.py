"""Hardening (issue #22): what a hostile or clumsy operator found, each item tried over the CLI and
HTTP as an operator would, against behaviour rather than modules."""

from __future__ import annotations

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
    run_dateline("migrate", "-v", "0", env=env)
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
        run_dateline("migrate", "-v", "0", env=env)
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
