"""Moderating in Django's admin reaches readers at once, as the desk's moderation does: the
post page is cached whole until something public changes."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.models import Comment, CommentStatus

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-admin-password-1"


@pytest.fixture
def admin_client():
    User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    staff = Client()
    assert staff.login(username="boss", password=PASSWORD)
    return staff


@pytest.fixture
def post():
    return blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)


def public_page(client, post) -> str:
    return client.get(post.get_absolute_url()).content.decode()


def change(admin_client, comment, **fields):
    data = {"post": comment.post_id, "author_name": comment.author_name, "body": comment.body}
    data["status"] = comment.status
    data.update(fields)
    answer = admin_client.post(f"/admin/comments/comment/{comment.pk}/change/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]


def test_rejecting_an_approved_comment_takes_it_off_the_cached_page(client, admin_client, post):
    comment = services.record(post, author_name="Troll", body="Abuse", status="approved")
    assert "Abuse" in public_page(client, post)
    change(admin_client, comment, status=CommentStatus.DELETED)
    assert "Abuse" not in public_page(client, post)
    assert Comment.objects.get().moderated_at is not None


def test_approving_or_editing_in_the_admin_shows_at_once(client, admin_client, post):
    comment = services.record(post, author_name="Sam", body="Kind words")
    assert "Kind words" not in public_page(client, post)
    change(admin_client, comment, status=CommentStatus.APPROVED)
    assert "Kind words" in public_page(client, post)
    comment.refresh_from_db()
    change(admin_client, comment, body="Kind words, typo fixed")
    assert "typo fixed" in public_page(client, post)


def test_deleting_approved_comments_takes_them_off_the_cached_page(client, admin_client, post):
    one = services.record(post, author_name="", body="First abuse", status="approved")
    services.record(post, author_name="", body="Second abuse", status="approved")
    services.record(post, author_name="", body="Third abuse", status="approved")
    assert "First abuse" in public_page(client, post)
    answer = admin_client.post(f"/admin/comments/comment/{one.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert "First abuse" not in public_page(client, post)
    # The list's bulk action deletes through delete_queryset.
    ids = list(Comment.objects.values_list("pk", flat=True))
    answer = admin_client.post(
        "/admin/comments/comment/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert answer.status_code == 302
    assert set(Comment.objects.values_list("status", flat=True)) == {CommentStatus.DELETED}
    assert "Second abuse" not in public_page(client, post)


def test_deleting_a_comment_keeps_its_replies_in_the_thread(client, post):
    parent = services.record(post, author_name="", body="Abuse", status="approved")
    services.record(
        post, author_name="", body="An approved reply", status="approved", parent=parent
    )
    services.delete([parent])
    assert Comment.objects.get(pk=parent.pk).status == CommentStatus.DELETED
    page = public_page(client, post)
    assert "An approved reply" in page
    assert "Abuse" not in page
    assert "comment deleted" in page
