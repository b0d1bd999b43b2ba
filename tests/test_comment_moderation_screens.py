"""The desk's moderation screens, the author's edit window and readers' reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.models import Comment, CommentReport, CommentStatus, ModerationRule
from dateline.desk.access import MODERATOR_GROUP, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)


@pytest.fixture
def moderator_client():
    user = User.objects.create_user("mo", "mo@example.org", "a-long-password-12")
    grant(user, MODERATOR_GROUP)
    signed_in = Client()
    assert signed_in.login(username="mo", password="a-long-password-12")
    return signed_in


def test_queues_show_the_reason_and_are_paged(moderator_client, post):
    for n in range(30):
        comment = services.record(post, author_name=f"R{n}", body=f"Held {n}")
        Comment.objects.filter(pk=comment.pk).update(held_reason="held: 4 links")
    services.record(post, author_name="S", body="Spammy", status="spam")
    page = moderator_client.get(reverse("desk:moderation")).content.decode()
    assert "held: 4 links" in page and "Held 0" in page and "Held 29" not in page
    assert "Page 1 of 2" in page
    page = moderator_client.get(reverse("desk:moderation") + "?queue=pending&page=2")
    assert "Held 29" in page.content.decode()
    spam = moderator_client.get(reverse("desk:moderation") + "?queue=spam").content.decode()
    assert "Spammy" in spam and "Held 0" not in spam


def test_bulk_decisions(moderator_client, post):
    ids = [services.record(post, author_name="", body=f"B{n}").pk for n in range(3)]
    answer = moderator_client.post(
        reverse("desk:moderate_bulk"),
        {"decision": "approve", "selected": ids[:2], "queue": "pending"},
    )
    assert answer.status_code == 302
    statuses = [Comment.objects.get(pk=pk).status for pk in ids]
    assert statuses == [CommentStatus.APPROVED, CommentStatus.APPROVED, CommentStatus.PENDING]
    moderator_client.post(reverse("desk:moderate_bulk"), {"decision": "spam", "selected": ids})
    assert set(Comment.objects.values_list("status", flat=True)) == {CommentStatus.SPAM}
    bad = moderator_client.post(
        reverse("desk:moderate_bulk"), {"decision": "nuke", "selected": ids}
    )
    assert bad.status_code == 400


def test_the_thread_and_history_are_shown(moderator_client, post):
    parent = services.record(post, author_name="Ann", body="The parent text", status="approved")
    services.record(post, author_name="Bo", body="Held reply", parent=parent, email="bo@x.example")
    services.record(post, author_name="Bo", body="Old one", email="bo@x.example", status="spam")
    page = moderator_client.get(reverse("desk:moderation")).content.decode()
    assert "The parent text" in page and "(replied to)" in page
    assert "1 spam" in page


def test_reports_reach_the_reported_queue(client, moderator_client, post):
    comment = services.record(post, author_name="Rude", body="Rude words", status="approved")
    stamp = services.form_stamp()
    for _ in range(2):  # one report per reader
        answer = client.post(reverse("comments:report", args=[comment.pk]), {"stamp": stamp})
        assert answer.status_code == 200
    assert CommentReport.objects.count() == 1
    forged = client.post(reverse("comments:report", args=[comment.pk]), {"stamp": "x"})
    assert forged.status_code == 400
    page = moderator_client.get(reverse("desk:moderation") + "?queue=reported").content.decode()
    assert "Rude words" in page and "reported 1 time" in page
    moderator_client.post(reverse("desk:moderate", args=[comment.pk]), {"decision": "delete"})
    assert Comment.objects.get().status == CommentStatus.DELETED


def test_a_ban_from_the_desk_refuses_the_next_comment(client, moderator_client, settings, post):
    settings.COMMENT_MODERATION = "none"
    stamp = services.form_stamp(timezone.now() - timedelta(minutes=1))
    url = reverse("comments:post", args=[post.pk])
    client.post(url, {"author_name": "Troll", "body": "Bad", "stamp": stamp, "website": ""})
    troll = Comment.objects.get()
    moderator_client.post(
        reverse("desk:moderate_ban", args=[troll.pk]), {"target": "address", "action": "ban"}
    )
    assert ModerationRule.objects.get().target == "address"
    assert Comment.objects.get().status == CommentStatus.SPAM
    again = client.post(url, {"author_name": "T2", "body": "Again", "stamp": stamp, "website": ""})
    assert again.status_code == 400


def test_the_post_mode_is_set_from_the_desk(moderator_client, client, post):
    comment = services.record(post, author_name="", body="x")
    moderator_client.post(reverse("desk:comment_mode", args=[post.pk]), {"mode": "closed"})
    assert services.commenting_mode(post) == "closed"
    assert comment.pk  # the comment stays


def test_the_author_may_edit_within_the_window_only(client, settings, post):
    settings.COMMENT_MODERATION = "none"
    stamp = services.form_stamp(timezone.now() - timedelta(minutes=1))
    thanks = client.post(
        reverse("comments:post", args=[post.pk]),
        {"author_name": "Sam", "body": "Typo hre", "stamp": stamp, "website": ""},
    )
    comment = Comment.objects.get()
    edit = reverse("comments:edit", args=[comment.pk])
    assert edit in thanks.content.decode()
    assert client.post(edit, {"body": "Typo here"}).status_code == 200
    assert Comment.objects.get().body == "Typo here"
    assert "Typo here" in client.get(post.get_absolute_url()).content.decode()
    # Another browser cannot; and once the window is over, nobody can.
    assert Client().post(edit, {"body": "Hijacked"}).status_code == 403
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    assert client.post(edit, {"body": "Too late"}).status_code == 403
    assert Comment.objects.get().body == "Typo here"
