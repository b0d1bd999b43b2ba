"""`dateline demo` (what `make run` serves): the seed-style posts reach the home page, and loading
twice changes nothing."""

import io
import sqlite3

import lxml.html
import pytest
from django.core.management import call_command

from dateline.blog.models import Post
from dateline.comments.models import Comment
from dateline.demo.content import POSTS
from dateline.wire.models import Article
from tests.support.processes import dateline, isolated_env

pytestmark = pytest.mark.django_db


def test_demo_home_shows_seed_style_posts_and_loading_twice_changes_nothing(client):
    call_command("demo", stdout=io.StringIO())
    counts = (Post.objects.count(), Article.objects.count(), Comment.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (Post.objects.count(), Article.objects.count(), Comment.objects.count()) == counts
    assert counts[0] == len(POSTS)

    page = client.get("/")
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.content)
    text = " ".join(tree.text_content().split())
    for post in POSTS:
        assert post.headline in text
        cited = Article.objects.served_with_guid(post.cited_guid).get()
        # The source line names the outlet and quotes its own headline; the quote links onwards.
        assert f"{post.cited_outlet}: {cited.title}" in text
        assert tree.xpath(f'//a[@href="{cited.url}"][contains(., "Read more")]')
    # Posts with an update show it on their page, citing the other outlet.
    updated = next(post for post in POSTS if post.update)
    post_page = client.get(Post.objects.get(slug=updated.slug).get_absolute_url())
    post_text = " ".join(lxml.html.fromstring(post_page.content).text_content().split())
    assert updated.update[2] in post_text


def test_demo_refuses_a_production_site_and_writes_nothing(tmp_path):
    env = isolated_env(
        tmp_path / "var",
        DATELINE_ENV="production",
        DATELINE_SECRET_KEY="a-test-secret-key-that-is-long-enough-for-the-checks-0123456789",
        DATELINE_ALLOWED_HOSTS="news.example.org",
    )
    assert dateline("migrate", "-v", "0", env=env, check=False, timeout=120).returncode == 0
    result = dateline("demo", env=env, check=False, timeout=120)
    assert result.returncode != 0
    assert "DATELINE_ENV=production" in result.stderr and "Traceback" not in result.stderr
    # No superuser with the demo's published password, no made-up outlets for the worker.
    database = sqlite3.connect(tmp_path / "var" / "dateline.sqlite3")
    try:
        assert database.execute("select count(*) from auth_user").fetchone() == (0,)
        assert database.execute("select count(*) from wire_feed").fetchone() == (0,)
    finally:
        database.close()


def test_the_demo_editor_signs_in_to_the_desk_with_the_password_alone(client):
    # No second factor and no forced password change: `make run` prints editor / editor.
    call_command("demo", stdout=io.StringIO())
    answer = client.post("/desk/login/", {"username": "editor", "password": "editor"})
    assert answer.status_code == 302 and answer["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200
    assert client.get("/admin/").status_code == 200  # a superuser
