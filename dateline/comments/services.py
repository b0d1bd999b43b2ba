"""The comments app's public commands."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.domain.text import xml_safe
from dateline.blog.models import Post
from dateline.comments import classifier, defence, notifications
from dateline.comments.bodies import render_html, render_markdown, safe_website
from dateline.comments.domain.policy import Mode, ModerationPolicy, commenting_closed
from dateline.comments.domain.submission import MAX_BODY, Submission, judge
from dateline.comments.exceptions import CommentError, CommentsClosed
from dateline.comments.models import (
    Comment,
    CommentingMode,
    CommentKind,
    CommentReport,
    CommentStatus,
    PostCommenting,
    SourceFormat,
)
from dateline.core.client_address import hashed, network_of

ADDRESS_PURPOSE = "comments.address"
NETWORK_PURPOSE = "comments.network"

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


def commenting_mode(post: Post, *, now: datetime | None = None) -> str:
    """`open`, `moderated` or `closed`: the post's own setting, else closed by age, else open."""
    own = PostCommenting.objects.filter(post=post).values_list("mode", flat=True).first()
    if own is not None and own != CommentingMode.OPEN:
        return own
    if post.published_at and commenting_closed(
        published_at=post.published_at,
        close_after_days=settings.COMMENT_CLOSE_AFTER_DAYS,
        now=now or timezone.now(),
    ):
        return CommentingMode.CLOSED
    return CommentingMode.OPEN


def set_commenting_mode(post: Post, mode: str) -> None:
    if mode not in CommentingMode.values:
        raise CommentError(f"unknown commenting mode {mode!r}")
    with transaction.atomic():
        PostCommenting.objects.update_or_create(post=post, defaults={"mode": mode})
        blog_services.post_changed(post)


def moderation_policy() -> ModerationPolicy:
    return ModerationPolicy.parse(settings.COMMENT_MODERATION)


@dataclass(frozen=True, slots=True)
class Sent:
    """What became of a comment from the public form."""

    comment: Comment
    # The reader sees it now (approved). A shadowbanned comment says False and is never shown,
    # but its author is told only that it was received.
    shown: bool


def content_digest(author_name: str, email: str, body: str) -> str:
    return hashlib.sha256("\x00".join((author_name, email.casefold(), body)).encode()).hexdigest()


def submit(
    post: Post,
    *,
    author_name: str,
    body: str,
    honeypot: str,
    stamp: str,
    email: str = "",
    url: str = "",
    parent_id: int | None = None,
    notify_replies: bool = False,
    client_address: str = "unknown",
    user_agent: str = "",
    site_root: str = "http://localhost/",
    now: datetime | None = None,
) -> Sent:
    """Stores a reader's comment from the public form, or raises CommentError saying why not.

    The moderation policy, the post's own setting and the spam defence decide its status. The
    same form sent again (a retry, a double click, a race) stores one comment: the key is the
    post, the form's signed stamp and a digest of name + email + body, held by a unique
    constraint. Two readers sending different text from the same cached page store two.
    """
    now = now or timezone.now()
    author_name, body = _plain(author_name), _plain(body)
    email, url = _plain(email), _plain(url)
    verdict = judge(
        Submission(
            author_name=author_name,
            body=body,
            honeypot=honeypot,
            form_rendered_at=read_form_stamp(stamp),
            email=email,
            url=url,
        ),
        now=now,
    )
    if not verdict.accepted:
        raise CommentError(verdict.problem, field=verdict.field)
    mode = commenting_mode(post, now=now)
    if mode == CommentingMode.CLOSED:
        raise CommentError("Comments on this post are closed.")
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, post=post).first()
        if parent is None or parent.status not in (CommentStatus.APPROVED, CommentStatus.DELETED):
            raise CommentError("The comment you replied to is not there any more.")
    digest = content_digest(author_name, email, body)
    sent_before = _sent_before(post, stamp, digest)
    if sent_before is not None:
        return sent_before
    address = client_address
    sender = defence.Sender(
        name=author_name,
        email=email,
        website=safe_website(url),
        address=address,
        address_hash=hashed(address, purpose=ADDRESS_PURPOSE),
        network_hash=hashed(network_of(address), purpose=NETWORK_PURPOSE),
        user_agent=user_agent[:500],
    )
    body_html = render_markdown(body)
    screening = defence.screen(post, sender, body=body, body_html=body_html, now=now)
    status, reason = screening.status, screening.reason
    if status == CommentStatus.APPROVED:
        held = _policy_reason(post, mode, author_name, email, now)
        if held:
            status, reason = CommentStatus.PENDING, held
    comment = Comment(
        post=post,
        parent=parent,
        author_name=author_name,
        email=email,
        url=sender.website,
        body=body,
        body_html=body_html,
        status=status,
        held_reason=reason,
        spam_score=screening.score,
        client_hash=sender.address_hash,
        network_hash=sender.network_hash,
        user_agent=sender.user_agent,
        form_stamp=stamp,
        content_digest=digest,
        notify_replies=notify_replies and bool(email),
        created_at=now,
    )
    try:
        with transaction.atomic():
            comment.save()
            if status == CommentStatus.APPROVED:
                blog_services.post_changed(post)
                notifications.reply_to_subscriber(comment, site_root)
            elif status == CommentStatus.PENDING:
                notifications.held_for_moderators(comment, site_root)
    except IntegrityError:
        # The same form raced in from another request: that one is the comment.
        raced = _sent_before(post, stamp, digest)
        if raced is None:
            raise
        return raced
    return Sent(comment, shown=status == CommentStatus.APPROVED)


def _sent_before(post: Post, stamp: str, digest: str) -> Sent | None:
    comment = Comment.objects.filter(post=post, form_stamp=stamp, content_digest=digest).first()
    if comment is None:
        return None
    return Sent(comment, shown=comment.status == CommentStatus.APPROVED)


def _policy_reason(post: Post, mode: str, author_name: str, email: str, now: datetime) -> str:
    if mode == CommentingMode.MODERATED:
        return "held: comments on this post are moderated"
    policy = moderation_policy()
    known = bool(author_name and email) and (
        Comment.objects.approved().filter(author_name=author_name, email__iexact=email).exists()
    )
    if not policy.holds(known_commenter=known, post_published_at=post.published_at or now, now=now):
        return ""
    if policy.mode is Mode.FIRST_TIME:
        return "held: first comment from this name and email"
    if policy.mode is Mode.OLDER_THAN:
        return f"held: post older than {policy.days} days"
    return "held: every comment is moderated"


def _plain(text: str) -> str:
    # Browsers send a textarea's line breaks as CRLF but count each as one character against
    # its maxlength: counted here as one too, a comment the form let through is not refused.
    # Control characters (pasted along with text) are not allowed in an HTML page's text: the
    # post page that shows the comment would no longer be valid HTML.
    text = text.replace("\r\n", "\n")
    return xml_safe(text).strip()


def approve(
    comment: Comment, *, now: datetime | None = None, site_root: str = "http://localhost/"
) -> Comment:
    """Approves a comment; one that was spam or held teaches the classifier "not spam".

    `site_root` (the site's address as the moderator reached it) starts the links in mail."""
    was_public = comment.status == CommentStatus.APPROVED
    _moderate(comment, CommentStatus.APPROVED, now)
    if comment.kind == CommentKind.COMMENT:
        classifier.teach(comment, classifier.HAM)
    if not was_public and comment.parent_id is not None:
        notifications.reply_to_subscriber(comment, site_root)
    return comment


def mark_spam(comment: Comment, *, now: datetime | None = None) -> Comment:
    _moderate(comment, CommentStatus.SPAM, now)
    classifier.teach(comment, classifier.SPAM)
    return comment


def reject(comment: Comment, *, now: datetime | None = None) -> Comment:
    """Deletes (softly) one comment: its replies keep their place."""
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


def report(comment_id: int, *, stamp: str, client_address: str) -> None:
    """A reader flags a comment for the moderators (once per reader and comment)."""
    if read_form_stamp(stamp) is None:
        raise CommentError("The page expired: please reload it and report the comment again.")
    comment = Comment.objects.approved().filter(pk=comment_id).first()
    if comment is None:
        raise CommentsClosed(f"comment {comment_id} is not shown")
    CommentReport.objects.get_or_create(
        comment=comment, client_hash=hashed(client_address, purpose=ADDRESS_PURPOSE)
    )


def edit(comment: Comment, *, body: str, now: datetime | None = None) -> Comment:
    """The author's own edit, within the edit window (the view checks the signed cookie)."""
    now = now or timezone.now()
    if not can_still_edit(comment, now=now):
        raise CommentError("This comment can no longer be edited.")
    body = _plain(body)
    if not body:
        raise CommentError("The comment is empty.", field="body")
    if len(body) > MAX_BODY:
        raise CommentError(f"Please keep comments under {MAX_BODY:,} characters.", field="body")
    with transaction.atomic():
        comment.body = body
        comment.body_html = render_markdown(body)
        comment.edited_at = now
        comment.save(update_fields=["body", "body_html", "edited_at"])
        if comment.status == CommentStatus.APPROVED:
            blog_services.post_changed(comment.post)
    return comment


def can_still_edit(comment: Comment, *, now: datetime | None = None) -> bool:
    minutes = settings.COMMENT_EDIT_MINUTES
    if minutes <= 0 or comment.status in (CommentStatus.DELETED, CommentStatus.SPAM):
        return False
    return (now or timezone.now()) - comment.created_at <= timedelta(minutes=minutes)


def forget_client_details(now: datetime) -> int:
    """The worker's job: drops hashed addresses and user agents past the retention period."""
    cutoff = now - timedelta(days=settings.COMMENT_IP_RETENTION_DAYS)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .exclude(client_hash="", network_hash="", user_agent="")
        .update(client_hash="", network_hash="", user_agent="")
    )


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
    quiet: bool = False,
) -> Comment:
    """Stores a comment that did not come through the public form (imports, the demo).

    The body is Markdown source (`body`) or HTML (`body_html`, sanitised with the comment policy
    and kept as written, source format `html`). No spam rule or moderation policy applies: the
    caller vouches for it. Names keep any length; a pingback or trackback may have no body. No
    notification is sent and nothing goes to the outbox. An approved comment changes the post's
    public page, unless `quiet` (see `record_many`).
    """
    return record_many(
        [
            prepare_record(
                post,
                author_name=author_name,
                body=body,
                body_html=body_html,
                parent=parent,
                email=email,
                url=url,
                kind=kind,
                status=status,
                created_at=created_at,
            )
        ],
        quiet=quiet,
    )[0]


def prepare_record(
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
    """`record`'s checks and sanitising, without storing: the comment for `record_many`."""
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
    return Comment(
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


def record_many(comments: Sequence[Comment], *, quiet: bool = False) -> list[Comment]:
    """Stores comments made by `prepare_record` at once (an import writes thousands): one
    statement per batch. A reply's parent must be stored already. Unless `quiet`, each post
    that gains an approved comment changes once; a quiet caller calls
    `blog.services.post_changed()` itself when its whole work commits."""
    with transaction.atomic():
        stored = Comment.objects.bulk_create(comments, batch_size=500)
        if not quiet:
            for post in {
                c.post_id: c.post for c in stored if c.status == CommentStatus.APPROVED
            }.values():
                blog_services.post_changed(post)
    return stored


def _check_created_at(created_at: datetime) -> None:
    # Pages show the time in the site's zone: a naive time would be read in whatever zone the
    # importer ran in, and one at the calendar's ends overflowed the post page into a 500.
    problem = blog_services.time_problem(created_at, "created_at")
    if problem is not None:
        raise CommentError(problem)
