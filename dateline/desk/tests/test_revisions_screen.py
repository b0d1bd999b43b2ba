"""The revisions screen: every save listed with who and when, a diff of two, and a restore that
is a new revision; forged or stale requests get a message and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dateline.blog import services as blog_services
from dateline.blog.models import PostStatus
from dateline.blog.tests.factories import citation

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(editor):
    first = blog_services.save_post(
        None, editor=editor, headline="Bridge closed", parts=[citation(1)],
        status=PostStatus.PUBLISHED,
    )  # fmt: skip
    blog_services.save_post(
        first, editor=editor, headline="Bridge closed to lorries", parts=[citation(1)],
        status=PostStatus.PUBLISHED,
    )  # fmt: skip
    return first


def test_the_list_shows_each_save_and_the_newest_change(client, post):
    page = client.get(reverse("desk:revisions", args=[post.pk])).content.decode()
    assert page.count('name="restore"') == 1  # every revision but the current one
    assert "Headline: Bridge closed</del>" in page
    assert "Headline: Bridge closed to lorries</ins>" in page
    assert ">ed<" in page


@pytest.mark.parametrize("query", ["?a=1&b=2", "?a=x&b=99999999999999999999", "?a=7&b=9"])
def test_any_pair_asked_for_answers_without_error(client, post, query):
    assert client.get(reverse("desk:revisions", args=[post.pk]) + query).status_code == 200


def test_a_restore_is_a_new_revision_and_keeps_the_post_published(client, post):
    answer = client.post(
        reverse("desk:revisions", args=[post.pk]), {"restore": "1", "base_revision": "2"}
    )
    assert answer.status_code == 302
    post.refresh_from_db()
    assert post.headline == "Bridge closed" and post.status == PostStatus.PUBLISHED
    assert post.revisions.count() == 3
    shown = client.get(answer["Location"]).content.decode()
    assert "Revision 1 restored, as a new revision." in shown
    assert "restored revision 1" in shown


@pytest.mark.parametrize(
    "sent",
    [
        {"restore": "9", "base_revision": "2"},  # no such revision
        {"restore": "", "base_revision": "2"},
        {"restore": "1", "base_revision": "1"},  # loaded before the newest save
        {"restore": "1" * 40, "base_revision": "2"},
    ],
    ids=["missing", "empty", "stale", "huge"],
)
def test_a_forged_or_stale_restore_says_so_and_changes_nothing(client, post, sent):
    answer = client.post(reverse("desk:revisions", args=[post.pk]), sent, follow=True)
    assert answer.status_code == 200
    assert "Not restored" in answer.content.decode() or "Pick a revision" in answer.content.decode()
    post.refresh_from_db()
    assert post.headline == "Bridge closed to lorries" and post.revisions.count() == 2
