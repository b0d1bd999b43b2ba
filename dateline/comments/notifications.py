"""Mail about comments: written to an outbox table in the comment's transaction, sent by the worker.

Nothing is lost when the mail server is down: a message stays in the outbox and is retried with
growing delays. Moderators get each held comment with signed one-click links (approve, delete),
valid for `DATELINE_COMMENT_LINK_HOURS` and usable once; commenters who asked for replies get
each visible reply, with a signed unsubscribe link.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from dateline.comments.models import Comment, OutboxMessage, UsedLink
from dateline.core import claims

log = logging.getLogger("dateline.comments")

_LINK_SALT = "dateline.comments.mail-link"
_UNSUBSCRIBE_SALT = "dateline.comments.unsubscribe"
# The desk's groups (dateline.desk.access): their members and superusers moderate.
MODERATING_GROUPS = ("editor", "moderator")
BATCH = 20
LEASE = timedelta(minutes=5)
MAX_DELAY = timedelta(hours=6)
ACTIONS = ("approve", "delete")


class LinkProblem(Exception):
    """A one-click link is forged, expired or used."""


def moderators_with_email() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    admitted = users.filter(Q(is_superuser=True) | Q(groups__name__in=MODERATING_GROUPS))
    return sorted(set(admitted.values_list("email", flat=True)))


def action_link(comment: Comment, action: str, site_root: str) -> str:
    token = signing.dumps({"c": comment.pk, "a": action}, salt=_LINK_SALT, compress=True)
    return site_root.rstrip("/") + reverse("comments:mail_action", args=[token])


def read_action_link(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(
            token, salt=_LINK_SALT, max_age=timedelta(hours=settings.COMMENT_LINK_HOURS)
        )
    except signing.SignatureExpired:
        raise LinkProblem("This link has expired: moderate the comment from the desk.") from None
    except signing.BadSignature:
        raise LinkProblem("This link is not valid.") from None
    if (
        not isinstance(data, dict)
        or data.get("a") not in ACTIONS
        or not isinstance(data.get("c"), int)
    ):
        raise LinkProblem("This link is not valid.")
    return data["c"], data["a"]


def use_link(token: str) -> None:
    """Marks a link used, inside the caller's transaction; raises LinkProblem the second time."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    try:
        with transaction.atomic():
            UsedLink.objects.create(digest=digest)
    except IntegrityError:
        raise LinkProblem("This link was already used.") from None


def unsubscribe_link(comment: Comment, site_root: str) -> str:
    token = signing.dumps(comment.pk, salt=_UNSUBSCRIBE_SALT)
    return site_root.rstrip("/") + reverse("comments:unsubscribe", args=[token])


def read_unsubscribe_link(token: str) -> int:
    try:
        value = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise LinkProblem("This link is not valid.") from None
    if not isinstance(value, int):
        raise LinkProblem("This link is not valid.")
    return value


def held_for_moderators(comment: Comment, site_root: str) -> None:
    recipients = moderators_with_email()
    if not recipients:
        return
    post = comment.post
    body = (
        f"A comment on “{post.title}” is waiting ({comment.held_reason or 'held'}).\n\n"
        f"From: {comment.display_name}"
        + (f" <{comment.email}>" if comment.email else "")
        + f"\n\n{comment.body}\n\n"
        f"Approve: {action_link(comment, 'approve', site_root)}\n"
        f"Delete: {action_link(comment, 'delete', site_root)}\n\n"
        f"Each link works once, for {settings.COMMENT_LINK_HOURS} hours. "
        f"All waiting comments: {site_root.rstrip('/')}{reverse('desk:moderation')}\n"
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(to=address, subject=f"Comment waiting: {post.title}"[:300], body=body)
        for address in recipients
    )


def reply_to_subscriber(reply: Comment, site_root: str) -> None:
    parent = reply.parent
    if parent is None or not parent.notify_replies or not parent.email:
        return
    if parent.email.casefold() == reply.email.casefold():
        return  # nobody wants mail about their own reply
    post = reply.post
    page = site_root.rstrip("/") + post.get_absolute_url() + f"#comment-{reply.pk}"
    body = (
        f"{reply.display_name} replied to your comment on “{post.title}”:\n\n"
        f"{reply.body}\n\n{page}\n\n"
        f"No more mail about replies to this comment: {unsubscribe_link(parent, site_root)}\n"
    )
    OutboxMessage.objects.create(
        to=parent.email, subject=f"A reply to your comment on {post.title}"[:300], body=body
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4… minutes after each failure, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


def send_due(now: datetime) -> int:
    """The worker's job: sends what the outbox holds that is due. Returns how many it tried."""
    due = OutboxMessage.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
    keys = claims.claim(due, lease=LEASE, limit=BATCH)
    for message in OutboxMessage.objects.filter(pk__in=keys):
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
            ).send()
        except Exception as error:  # any failure of the mail server: retried, never lost
            message.attempts += 1
            message.next_attempt_at = now + backoff(message.attempts)
            message.last_error = f"{type(error).__name__}: {error}"[:1000]
            log.warning("mail to %s failed (attempt %d): %s", message.to, message.attempts, error)
        else:
            message.sent_at = now
            message.last_error = ""
        message.claimed_until = None
        message.save(
            update_fields=["attempts", "next_attempt_at", "last_error", "sent_at", "claimed_until"]
        )
    return len(keys)
