"""The shared page cache seen from outside: `dateline serve` with two worker processes.

Every process answers the same bytes and ETag for a page (one shared entry), a change made by
another process is never followed by an older page (decision 0066: the bound is zero once the
change's transaction has committed), and a cached hit carries exactly the headers of the miss
that stored it.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.processes import REPO, isolated_env, start_dateline
from tests.support.processes import dateline as run_dateline
from tests.test_cli_and_serve import first_answer, free_port

REVALIDATIONS = 50

_SEED = """
import django
django.setup()
from dateline.blog import services
from dateline.blog.domain.drafts import ProseDraft
for n in range(3):
    services.create_post(
        headline=f"Headline {n} as first written", parts=[ProseDraft("<p>Body.</p>")],
        status="published", slug=f"post-{n}",
    )
"""

_EDIT = """
import sys
import django
django.setup()
from dateline.blog import services
from dateline.blog.models import Post
services.edit_post(Post.objects.get(slug=sys.argv[1]), headline=sys.argv[2])
"""


def in_site(code: str, *args: str, env: dict[str, str]) -> None:
    """Runs `code` against the site's database in a process of its own, as the desk or a
    worker on another machine would."""
    subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env={**env, "DJANGO_SETTINGS_MODULE": "dateline.settings"},
        check=True,
        capture_output=True,
        timeout=120,
    )


def fresh(url: str, **headers: str) -> httpx.Response:
    # A new connection each time, so either worker process may answer.
    with httpx.Client(timeout=10) as client:
        return client.get(url, headers=headers)


@pytest.fixture
def site(tmp_path: Path):
    env = isolated_env(tmp_path / "var")
    run_dateline("migrate", "-v", "0", env=env)
    in_site(_SEED, env=env)
    port = free_port()
    server = start_dateline("serve", "--port", str(port), "--workers", "2", env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        assert first_answer(server, f"{base}/").status_code == 200
        yield base, env
    finally:
        server.terminate()
        server.wait(timeout=30)


def post_url(base: str, slug: str) -> str:
    home = fresh(f"{base}/").text
    start = home.index(f"/{slug}/")
    return base + home[home.rindex('"', 0, start) + 1 : start] + f"/{slug}/"


def test_every_process_answers_one_etag_and_revalidations_get_304(site):
    base, _ = site
    url = post_url(base, "post-1")
    etags = {fresh(url).headers["ETag"] for _ in range(20)}
    assert len(etags) == 1
    etag = etags.pop()
    answers = [fresh(url, **{"If-None-Match": etag}).status_code for _ in range(REVALIDATIONS)]
    assert answers == [304] * REVALIDATIONS


def test_no_process_serves_a_page_older_than_the_last_committed_change(site):
    base, env = site
    url = post_url(base, "post-1")
    for _ in range(10):  # both processes hold the page and the home page
        fresh(url), fresh(f"{base}/")
    for round_number in range(3):
        headline = f"Headline changed in round {round_number}"
        in_site(_EDIT, "post-1", headline, env=env)  # returns once committed
        for _ in range(12):
            assert headline in fresh(url).text
            assert headline in fresh(f"{base}/").text


def test_a_change_to_one_post_leaves_other_posts_pages_cached(site):
    base, env = site
    other = post_url(base, "post-0")  # not a neighbour of post-2
    before = fresh(other)
    in_site(_EDIT, "post-2", "Only this one changed", env=env)
    after = fresh(other)
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.headers["Last-Modified"] == before.headers["Last-Modified"]
    assert "Only this one changed" in fresh(f"{base}/").text


def _headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name != "date"}


@pytest.mark.parametrize("path", ["/about/", "/feeds/atom.xml", "/robots.txt"])
def test_a_hit_carries_exactly_the_headers_of_the_miss(site, path):
    base, _ = site
    miss = fresh(f"{base}{path}?first=1")
    hit = fresh(f"{base}{path}?first=1")
    assert miss.status_code == hit.status_code == 200
    assert _headers(hit) == _headers(miss)
    assert hit.content == miss.content
    for name in ("x-frame-options", "x-content-type-options", "referrer-policy", "etag"):
        assert name in hit.headers
    head = httpx.head(f"{base}{path}?first=1", timeout=10)
    assert _headers(head) == _headers(miss)
    assert head.content == b""


def test_in_production_behind_tls_a_hit_carries_hsts_as_the_miss_does(tmp_path):
    env = isolated_env(
        tmp_path / "var",
        DATELINE_ENV="production",
        DATELINE_SECRET_KEY=secrets.token_urlsafe(50),
        DATELINE_ALLOWED_HOSTS="news.example.org",
        DATELINE_BEHIND_TLS_PROXY="true",
    )
    run_dateline("migrate", "-v", "0", env=env)
    in_site(_SEED, env=env)
    port = free_port()
    server = start_dateline("serve", "--port", str(port), "--workers", "2", env=env)
    proxied = {"Host": "news.example.org", "X-Forwarded-Proto": "https"}
    try:
        first_answer(server, f"http://127.0.0.1:{port}/robots.txt", headers=proxied)
        miss = fresh(f"http://127.0.0.1:{port}/?x=1", **proxied)
        hit = fresh(f"http://127.0.0.1:{port}/?x=1", **proxied)
        assert "strict-transport-security" in miss.headers
        assert _headers(hit) == _headers(miss)
        assert "https://news.example.org/" in hit.text
        # A host not allowed never reaches the cache, not even one holding this page.
        refused = fresh(
            f"http://127.0.0.1:{port}/?x=1", Host="evil.example", **{"X-Forwarded-Proto": "https"}
        )
        assert refused.status_code == 400
        # Plain http is another address: never the https page's bytes.
        plain = fresh(f"http://127.0.0.1:{port}/?x=1", Host="news.example.org")
        assert "strict-transport-security" not in plain.headers
    finally:
        server.terminate()
        server.wait(timeout=30)
