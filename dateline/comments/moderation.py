"""What the desk's moderation screens ask of comments: queues, bulk decisions, history, bans."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q

from dateline.comments import services
from dateline.comments.exceptions import CommentError
from dateline.comments.models import (
    Comment,
    CommentQuerySet,
    CommentStatus,
    ModerationRule,
    RuleAction,
    RuleTarget,
)

QUEUES = ("pending", "spam", "reported", "all")
ACTIONS = ("approve", "spam", "not_spam", "delete")


def queue(name: str) -> CommentQuerySet:
    comments = Comment.objects.select_related("post", "parent").annotate(
        report_count=Count("reports")
    )
    if name == "pending":
        chosen = comments.pending()
    elif name == "spam":
        chosen = comments.spam()
    elif name == "reported":
        chosen = comments.filter(report_count__gt=0).exclude(status=CommentStatus.DELETED)
    elif name == "all":
        chosen = comments
    else:
        raise CommentError(f"unknown queue {name!r}: choose one of {', '.join(QUEUES)}")
    # Oldest first where something waits, so nothing is starved; newest first in "all".
    return (
        chosen.order_by("-created_at", "-id")
        if name == "all"
        else chosen.order_by("created_at", "id")
    )


def counts() -> dict[str, int]:
    totals = Comment.objects.aggregate(
        pending=Count("id", filter=Q(status=CommentStatus.PENDING)),
        spam=Count("id", filter=Q(status=CommentStatus.SPAM)),
    )
    totals["reported"] = (
        Comment.objects.filter(reports__isnull=False)
        .exclude(status=CommentStatus.DELETED)
        .values("id")
        .distinct()
        .count()
    )
    return totals


def decide(comments: Iterable[Comment], action: str, *, site_root: str) -> int:
    """Applies one moderator decision to each comment; returns how many it changed.

    "not spam" approves and teaches the classifier; "spam" hides and teaches it.
    """
    if action not in ACTIONS:
        raise CommentError(f"unknown decision {action!r}: choose one of {', '.join(ACTIONS)}")
    done = 0
    with transaction.atomic():
        for comment in comments:
            if action in ("approve", "not_spam"):
                services.approve(comment, site_root=site_root)
            elif action == "spam":
                services.mark_spam(comment)
            else:
                services.reject(comment)
            # Reports are answered by any decision.
            comment.reports.all().delete()
            done += 1
    return done


def around(comment: Comment) -> list[Comment]:
    """The thread around a comment: its parent, itself and its direct replies."""
    shown = [comment.parent] if comment.parent_id else []
    shown.append(comment)
    shown.extend(comment.replies.order_by("created_at", "id")[:10])
    return [c for c in shown if c is not None]


def history(comment: Comment, limit: int = 10) -> tuple[dict[str, int], list[Comment]]:
    """The commenter's other comments (same email, or same hashed address while it is kept)."""
    same = Q(pk=-1)
    if comment.email:
        same |= Q(email__iexact=comment.email)
    if comment.client_hash:
        same |= Q(client_hash=comment.client_hash)
    others = Comment.objects.filter(same).exclude(pk=comment.pk)
    by_status = dict(
        others.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return by_status, list(others.select_related("post").order_by("-created_at")[:limit])


def ban(comment: Comment, target: str, action: str) -> ModerationRule:
    """Bans (or shadowbans) the commenter by name, email, address or network."""
    if target not in (RuleTarget.NAME, RuleTarget.EMAIL, RuleTarget.ADDRESS, RuleTarget.NETWORK):
        raise CommentError(f"cannot ban by {target!r}")
    if action not in (RuleAction.BAN, RuleAction.SHADOW, RuleAction.HOLD):
        raise CommentError(f"unknown action {action!r}")
    pattern = {
        RuleTarget.NAME: comment.author_name.casefold(),
        RuleTarget.EMAIL: comment.email.casefold(),
        RuleTarget.ADDRESS: comment.client_hash,
        RuleTarget.NETWORK: comment.network_hash,
    }[RuleTarget(target)]
    if not pattern:
        raise CommentError(f"this comment has no {RuleTarget(target).label.lower()} to ban")
    rule, _ = ModerationRule.objects.update_or_create(
        target=target, pattern=pattern[:200], defaults={"action": action}
    )
    return rule


def add_rule(target: str, pattern: str, action: str) -> ModerationRule:
    """A blocked word, name or email with `*` wildcards, typed by a moderator."""
    if target not in (RuleTarget.WORD, RuleTarget.NAME, RuleTarget.EMAIL):
        raise CommentError("rules typed by hand match a word, a name or an email")
    if action not in RuleAction.values:
        raise CommentError(f"unknown action {action!r}")
    pattern = pattern.strip().casefold()
    if not pattern.strip("*"):
        raise CommentError("the pattern is empty")
    if len(pattern) > 200:
        raise CommentError("keep patterns under 200 characters")
    rule, _ = ModerationRule.objects.update_or_create(
        target=target, pattern=pattern, defaults={"action": action}
    )
    return rule
