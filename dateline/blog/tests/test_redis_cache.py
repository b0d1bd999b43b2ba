"""The page cache on Redis (DATELINE_CACHE_URL=redis://...), as a site on several machines runs
it: a real redis-server started on loopback for these tests, as PostgreSQL is for others."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

from dateline.blog import generations, services
from dateline.blog.tests.factories import seed_post
from dateline.core.config import cache_from_url

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (CI installs it)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder: Path = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError("redis-server did not start") from None
            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def on_redis(settings, redis_url):
    settings.CACHES = {
        "default": cache_from_url(
            redis_url, data_dir=settings.DATA_DIR, database=settings.DATABASES["default"]
        )
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_pages_and_generations_live_in_redis(client, on_redis, django_assert_num_queries):
    assert type(on_redis).__name__ == "RedisCache"
    post = seed_post(1)
    first = client.get(post.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(post.get_absolute_url())
    assert again["ETag"] == first["ETag"]
    assert on_redis.get(generations.cache_key(generations.post_page(post.slug))) is not None
    services.edit_post(post, headline="Changed on another machine")
    assert "Changed on another machine" in client.get(post.get_absolute_url()).content.decode()
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_comment_on_one_post_leaves_other_posts_cached(
    client, on_redis, django_assert_num_queries
):
    posts = [seed_post(n) for n in range(3)]
    for post in posts:
        client.get(post.get_absolute_url())
    services.post_changed(posts[2])  # what the comments app calls when a comment shows
    with django_assert_num_queries(0):  # still hits, its neighbour included
        client.get(posts[0].get_absolute_url())
        client.get(posts[1].get_absolute_url())
    with CaptureQueriesContext(connection) as rendered:
        client.get(posts[2].get_absolute_url())
    assert len(rendered) > 0  # its own page is rendered again


def test_two_sites_on_one_redis_never_share_entries(redis_url, settings, tmp_path):
    one = cache_from_url(
        redis_url, data_dir=tmp_path / "a", database={"NAME": str(tmp_path / "a.db")}
    )
    two = cache_from_url(
        redis_url, data_dir=tmp_path / "b", database={"NAME": str(tmp_path / "b.db")}
    )
    assert one["KEY_PREFIX"] != two["KEY_PREFIX"]
    caches_of = [
        import_string(conf["BACKEND"])(conf["LOCATION"], {"KEY_PREFIX": conf["KEY_PREFIX"]})
        for conf in (one, two)
    ]
    caches_of[0].set(generations.cache_key(generations.LISTINGS), (7, 1.0))
    assert caches_of[1].get(generations.cache_key(generations.LISTINGS)) is None
    assert caches_of[0].get(generations.cache_key(generations.LISTINGS)) == (7, 1.0)
