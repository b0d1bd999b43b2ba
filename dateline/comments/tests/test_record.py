"""record(): how imports and the demo store comments (the Porting importer relies on this API)."""

from datetime import UTC, datetime

import pytest

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.exceptions import CommentError
from dateline.comments.models import (
    Comment,
    CommentKind,
    CommentStatus,
    OutboxMessage,
    SourceFormat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)


def test_markdown_is_kept_as_source_and_rendered(post):
    comment = services.record(post, author_name="carl", body="Quite *right*.\n\n> a quote")
    assert comment.source_format == SourceFormat.MARKDOWN
    assert comment.body == "Quite *right*.\n\n> a quote"
    assert "<em>right</em>" in comment.body_html
    assert "<blockquote>" in comment.body_html


def test_html_bodies_are_sanitised_with_the_comment_policy(post):
    comment = services.record(
        post,
        author_name="Unknown",
        body_html='<p onclick="x()">Hi <a href="javascript:alert(1)">there</a>'
        "<script>bad()</script>"
        '<a href="https://example.org/">ok</a></p>',
    )
    assert comment.source_format == SourceFormat.HTML
    assert "onclick" not in comment.body_html and "script" not in comment.body_html
    assert "javascript:" not in comment.body_html
    assert 'rel="nofollow ugc noopener"' in comment.body_html
    assert comment.author_name == "Unknown"


def test_every_field_an_import_carries_is_kept(post):
    at = datetime(2015, 3, 1, 12, tzinfo=UTC)
    parent = services.record(post, author_name="A", body="first", status=CommentStatus.APPROVED)
    reply = services.record(
        post,
        author_name="B",
        body="second",
        parent=parent,
        email="b@example.org",
        url="https://b.example.org/",
        status=CommentStatus.SPAM,
        created_at=at,
    )
    reply.refresh_from_db()
    assert (reply.parent_id, reply.email, reply.url, reply.status, reply.created_at) == (
        parent.pk,
        "b@example.org",
        "https://b.example.org/",
        CommentStatus.SPAM,
        at,
    )


@pytest.mark.parametrize("kind", [CommentKind.PINGBACK, CommentKind.TRACKBACK])
def test_pingbacks_and_trackbacks_may_have_no_body(post, kind):
    comment = services.record(
        post, author_name="Some blog", body="", kind=kind, url="https://x.example/"
    )
    assert (comment.kind, comment.body) == (kind, "")


def test_a_plain_comment_must_have_a_body(post):
    with pytest.raises(CommentError, match="empty"):
        services.record(post, author_name="A", body="")


def test_a_website_that_is_not_http_is_dropped(post):
    comment = services.record(post, author_name="A", body="x", url="javascript:alert(1)")
    assert comment.url == ""


def test_a_reply_on_another_post_is_refused(post):
    other = blog.create_post(headline="Another", status=PostStatus.PUBLISHED)
    parent = services.record(other, author_name="A", body="elsewhere")
    with pytest.raises(CommentError, match="same post"):
        services.record(post, author_name="B", body="reply", parent=parent)


def test_recorded_comments_send_nothing(post):
    for status in CommentStatus.values:
        services.record(
            post, author_name="A", body=f"in {status}", email="a@example.org", status=status
        )
    assert not OutboxMessage.objects.exists()
    assert Comment.objects.count() == 4
