"""Spam and abuse defence for comments from the public form, without CAPTCHAs.

Checks, cheapest first: bans and blocked patterns, rate limits per address and per network
(counted in the database, so every web process sees the same count), links, duplicates, the
adaptive classifier, then Akismet when configured. Each either refuses the comment (a ban, a
rate limit), hides it for good (a shadowban), marks it spam, or holds it with a reason for a
moderator. Markup is never a reason: hostile markup is rendered inert instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from dateline.blog.models import Post
from dateline.comments import classifier
from dateline.comments.adapters import akismet
from dateline.comments.domain import links, rules
from dateline.comments.exceptions import CommentError
from dateline.comments.models import Comment, CommentStatus, ModerationRule

# The same body on the same post within this window, from anyone, is held as a duplicate.
DUPLICATE_WINDOW = timedelta(hours=24)
SPAM_AT = 0.9  # classifier score from which a comment is marked spam
HOLD_AT = 0.6  # ... and from which it is held for a moderator


@dataclass(frozen=True, slots=True)
class Screening:
    status: str  # approved (nothing against it), pending or spam
    reason: str = ""
    score: float | None = None
    shadow: bool = False


@dataclass(frozen=True, slots=True)
class Sender:
    name: str
    email: str
    website: str
    address: str
    address_hash: str
    network_hash: str
    user_agent: str


def screen(post: Post, sender: Sender, *, body: str, body_html: str, now: datetime) -> Screening:
    """Judges a comment; raises CommentError when it must be refused outright."""
    candidate = rules.Candidate(
        name=sender.name,
        email=sender.email,
        body=body,
        website=sender.website,
        address_hash=sender.address_hash,
        network_hash=sender.network_hash,
    )
    rule = rules.strongest_match(_rules(), candidate)
    if rule is not None and rule.action == "ban":
        raise CommentError("Your comment could not be accepted.")
    if rule is not None and rule.action == "shadow":
        return Screening(CommentStatus.SPAM, "shadowbanned", shadow=True)
    _check_rate(sender, now)
    if rule is not None:
        return Screening(CommentStatus.PENDING, f"held: blocked {rule.target} “{rule.pattern}”")
    count = links.count_links(body, body_html, website=sender.website)
    if count > settings.COMMENT_MAX_LINKS:
        return Screening(CommentStatus.PENDING, f"held: {count} links")
    duplicate = (
        Comment.objects.filter(post=post, body=body, created_at__gte=now - DUPLICATE_WINDOW)
        .exclude(status=CommentStatus.DELETED)
        .values_list("pk", flat=True)
        .first()
    )
    if duplicate is not None:
        return Screening(CommentStatus.PENDING, f"held: same text as comment #{duplicate}")
    words = classifier.comment_tokens(body=body, author_name=sender.name, url=sender.website)
    score = classifier.score(words)
    if score is not None and score >= SPAM_AT:
        return Screening(CommentStatus.SPAM, f"held: looks like spam ({score:.2f})", score)
    if score is not None and score >= HOLD_AT:
        return Screening(CommentStatus.PENDING, f"held: looks like spam ({score:.2f})", score)
    if settings.AKISMET_KEY:
        verdict = _akismet(post, sender, body)
        if verdict is not None:
            return Screening(verdict[0], verdict[1], score)
    return Screening(CommentStatus.APPROVED, "", score)


def _rules() -> list[rules.Rule]:
    return [
        rules.Rule(target=target, pattern=pattern, action=action)
        for target, pattern, action in ModerationRule.objects.values_list(
            "target", "pattern", "action"
        )
    ]


def _check_rate(sender: Sender, now: datetime) -> None:
    limits = settings.COMMENT_RATE_LIMITS
    for scope, column, value in (
        ("address", "client_hash", sender.address_hash),
        ("network", "network_hash", sender.network_hash),
    ):
        for allowed, seconds in limits.get(scope, ()):
            since = now - timedelta(seconds=seconds)
            sent = Comment.objects.filter(**{column: value, "created_at__gte": since}).count()
            if sent >= allowed:
                wait = "a minute" if seconds <= 60 else "an hour"
                raise CommentError(
                    f"You have sent many comments in a short time: please wait {wait} and "
                    "send this one again (your text is kept below)."
                )


def _akismet(post: Post, sender: Sender, body: str) -> tuple[str, str] | None:
    query = akismet.AkismetQuery(
        blog=settings.SITE_URL if hasattr(settings, "SITE_URL") else "",
        user_ip=sender.address,
        user_agent=sender.user_agent,
        permalink=post.get_absolute_url(),
        author=sender.name,
        author_email=sender.email,
        author_url=sender.website,
        content=body,
    )
    try:
        spam = akismet.is_spam(settings.AKISMET_URL, settings.AKISMET_KEY, query)
    except akismet.AkismetUnavailable as error:
        # Nothing is lost: a moderator decides instead of the service.
        return CommentStatus.PENDING, f"held: spam service unavailable ({error})"
    if spam:
        return CommentStatus.SPAM, "held: the spam service says spam"
    return None
