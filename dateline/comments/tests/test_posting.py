"""Posting a comment through the public endpoint: hostile input gets a clear answer, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.exceptions import CommentError
from dateline.comments.models import Comment, CommentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)


def fields(**changes):
    data = {
        "author_name": "Sam",
        "body": "Interesting.",
        "website": "",
        "stamp": services.form_stamp(timezone.now() - timedelta(minutes=1)),
    }
    data.update(changes)
    return data


def test_a_comment_is_kept_pending(client, post):
    answer = client.post(reverse("comments:post", args=[post.pk]), fields())
    assert answer.status_code == 200
    comment = Comment.objects.get()
    assert (comment.status, comment.author_name, comment.body) == (
        CommentStatus.PENDING,
        "Sam",
        "Interesting.",
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"website": "http://cheap-pills.example"},
        {"stamp": "forged"},
        {"stamp": ""},
        {"body": ""},
        {"body": "x" * 6000},
        {"author_name": "<script>alert(1)</script>" * 10},
    ],
)
def test_refused_comments_keep_the_text_and_store_nothing(client, post, changes):
    answer = client.post(reverse("comments:post", args=[post.pk]), fields(**changes))
    assert answer.status_code == 400
    assert Comment.objects.count() == 0
    assert "<script>alert(1)" not in answer.content.decode()
    if changes.get("body", "Interesting.") == "Interesting.":
        assert "Interesting." in answer.content.decode()


def test_comments_on_unpublished_or_missing_posts_are_404(client):
    draft = blog.create_post(headline="Not yet", status=PostStatus.DRAFT)
    for post_id in (draft.pk, 999999):
        assert client.post(reverse("comments:post", args=[post_id]), fields()).status_code == 404


def test_get_is_not_allowed(client, post):
    assert client.get(reverse("comments:post", args=[post.pk])).status_code == 405


def test_approved_comments_only_are_public(post):
    services.record(post, author_name="", body="shown", status=CommentStatus.APPROVED)
    services.record(post, author_name="", body="waiting")
    assert list(Comment.objects.approved().values_list("body", flat=True)) == ["shown"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"author_name": "n" * 101}, "longer than 100"),  # PostgreSQL: DataError, a traceback
        ({"created_at": datetime(2010, 1, 1)}, "aware"),  # read in whatever zone the import ran
        # Pages show local times: year 1 seen from west of UTC overflowed the post page.
        ({"created_at": datetime(1, 1, 1, tzinfo=UTC)}, "years 1000 to 9999"),
        ({"body": "\x00 \x01"}, "empty"),
    ],
)
def test_a_recorded_comment_the_site_could_not_store_or_show_is_refused(post, changes, problem):
    fields = {"author_name": "Imported", "body": "From the old blog.", **changes}
    with pytest.raises(CommentError, match=problem):
        services.record(post, status=CommentStatus.APPROVED, **fields)
    assert not Comment.objects.exists()


def test_a_recorded_comment_loses_nul_and_controls_but_keeps_its_text(client, settings, post):
    settings.TIME_ZONE = "America/New_York"
    at = datetime(1000, 1, 2, tzinfo=UTC)  # the earliest time a post may have, too
    services.record(
        post,
        author_name="Old\x00 reader",
        body="First\x00 comment\x0bhere",  # PostgreSQL refuses NUL in text
        status=CommentStatus.APPROVED,
        created_at=at,
    )
    comment = Comment.objects.get()
    assert (comment.author_name, comment.body, comment.created_at) == (
        "Old reader",
        "First comment here",
        at,
    )
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    assert "First comment here" in page.content.decode()
