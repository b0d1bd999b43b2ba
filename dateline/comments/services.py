"""The comments app's public commands."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.domain.text import xml_safe
from dateline.blog.models import Post
from dateline.comments.bodies import render_html, render_markdown, safe_website
from dateline.comments.domain.submission import RESEND_WINDOW, Submission, judge
from dateline.comments.exceptions import CommentError, CommentsClosed
from dateline.comments.models import Comment, CommentKind, CommentStatus, SourceFormat

_STAMP_SALT = "dateline.comments.form-rendered-at"


def form_stamp(now: datetime | None = None) -> str:
    """A signed record of when a comment form was rendered (see domain.submission)."""
    return signing.dumps((now or timezone.now()).timestamp(), salt=_STAMP_SALT)


def read_form_stamp(stamp: str) -> datetime | None:
    try:
        seconds = float(signing.loads(stamp, salt=_STAMP_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def commentable_post(post_id: int) -> Post:
    post = Post.objects.published().filter(pk=post_id).first()
    if post is None:
        raise CommentsClosed(f"post {post_id} does not exist or takes no comments")
    return post


def submit(
    post: Post,
    *,
    author_name: str,
    body: str,
    honeypot: str,
    stamp: str,
    now: datetime | None = None,
) -> Comment:
    """Stores a reader's comment as pending moderation, or raises CommentError saying why not.

    The same comment sent again within RESEND_WINDOW is not stored twice: the first is returned.
    """
    now = now or timezone.now()
    author_name, body = _plain(author_name), _plain(body)
    verdict = judge(
        Submission(
            author_name=author_name,
            body=body,
            honeypot=honeypot,
            form_rendered_at=read_form_stamp(stamp),
        ),
        now=now,
    )
    if not verdict.accepted:
        raise CommentError(verdict.problem)
    sent_before = Comment.objects.filter(
        post=post, author_name=author_name, body=body, created_at__gte=now - RESEND_WINDOW
    ).first()
    if sent_before is not None:
        return sent_before
    return Comment.objects.create(
        post=post, author_name=author_name, body=body, body_html=render_markdown(body)
    )


def _plain(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF but count each as one character against
    # its maxlength: counted here as one too, a comment the form let through is not refused.
    # Control characters (pasted along with text) are not allowed in an HTML page's text: the
    # post page that shows the comment would no longer be valid HTML.
    text = text.replace("\r\n", "\n")
    return xml_safe(text).strip()


def approve(comment: Comment, *, now: datetime | None = None) -> Comment:
    return _moderate(comment, CommentStatus.APPROVED, now)


def reject(comment: Comment, *, now: datetime | None = None) -> Comment:
    return _moderate(comment, CommentStatus.DELETED, now)


def _moderate(comment: Comment, status: CommentStatus, now: datetime | None) -> Comment:
    was_public = comment.status == CommentStatus.APPROVED
    with transaction.atomic():
        comment.status = status
        comment.moderated_at = now or timezone.now()
        comment.save(update_fields=["status", "moderated_at"])
        if was_public or status == CommentStatus.APPROVED:
            # The post's public page shows approved comments: its cached copy is now stale.
            blog_services.post_changed(comment.post)
    return comment


def save_edited(comment: Comment, *, previous_status: str | None) -> Comment:
    """Saves a comment changed by hand (the admin's form); `previous_status` is what it had
    before, None for a new one. The post's page follows when it showed the comment or now does.
    """
    with transaction.atomic():
        if previous_status != comment.status and comment.status != CommentStatus.PENDING:
            comment.moderated_at = timezone.now()
        comment.body = _plain(comment.body)
        comment.body_html = (
            render_html(comment.body)
            if comment.source_format == SourceFormat.HTML
            else render_markdown(comment.body)
        )
        comment.save()
        if CommentStatus.APPROVED in (previous_status, comment.status):
            blog_services.post_changed(comment.post)
    return comment


def delete(comments: Iterable[Comment], *, now: datetime | None = None) -> None:
    """Deletes comments softly (status `deleted`): their replies keep their place in the thread,
    where a deleted comment with replies shows as "comment deleted". Pages that showed any of
    them are refreshed."""
    ids = [comment.pk for comment in comments]
    with transaction.atomic():
        chosen = Comment.objects.filter(pk__in=ids).exclude(status=CommentStatus.DELETED)
        shown_on = set(chosen.approved().values_list("post", flat=True))
        chosen.update(status=CommentStatus.DELETED, moderated_at=now or timezone.now())
        for post in Post.objects.filter(pk__in=shown_on):
            blog_services.post_changed(post)


def record(
    post: Post,
    *,
    author_name: str,
    body: str | None = None,
    body_html: str | None = None,
    parent: Comment | None = None,
    email: str = "",
    url: str = "",
    kind: str = CommentKind.COMMENT,
    status: str = CommentStatus.PENDING,
    created_at: datetime | None = None,
) -> Comment:
    """Stores a comment that did not come through the public form (imports, the demo).

    The body is Markdown source (`body`) or HTML (`body_html`, sanitised with the comment policy
    and kept as written, source format `html`). No spam rule or moderation policy applies: the
    caller vouches for it. Names keep any length; a pingback or trackback may have no body. No
    notification is sent and nothing goes to the outbox. An approved comment changes the post's
    public page.
    """
    if status not in CommentStatus.values:
        raise CommentError(f"unknown comment status {status!r}")
    if kind not in CommentKind.values:
        raise CommentError(f"unknown comment kind {kind!r}")
    if body is not None and body_html is not None:
        raise CommentError("give the body as Markdown (body=) or as HTML (body_html=), not both")
    if parent is not None and parent.post_id != post.pk:
        raise CommentError("a reply must be on the same post as the comment it answers")
    # Imported text may hold NUL, which PostgreSQL refuses, and controls no feed can carry.
    author_name, email, url = _plain(author_name), _plain(email), _plain(url)
    if body_html is not None:
        source, source_format = _plain(body_html), SourceFormat.HTML
        rendered = render_html(source)
    else:
        source, source_format = _plain(body or ""), SourceFormat.MARKDOWN
        rendered = render_markdown(source)
    if not source and kind == CommentKind.COMMENT:
        raise CommentError("the comment is empty")
    if created_at is not None:
        _check_created_at(created_at)
    comment = Comment(
        post=post,
        parent=parent,
        kind=kind,
        author_name=author_name,
        email=email,
        url=safe_website(url),
        body=source,
        body_html=rendered,
        source_format=source_format,
        status=status,
        created_at=created_at or timezone.now(),
    )
    with transaction.atomic():
        comment.save()
        if status == CommentStatus.APPROVED:
            blog_services.post_changed(post)
    return comment


def _check_created_at(created_at: datetime) -> None:
    # Pages show the time in the site's zone: a naive time would be read in whatever zone the
    # importer ran in, and one at the calendar's ends overflowed the post page into a 500.
    problem = blog_services.time_problem(created_at, "created_at")
    if problem is not None:
        raise CommentError(problem)
