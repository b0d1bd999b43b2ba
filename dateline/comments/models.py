"""Readers' comments on posts, and what moderating them needs (rules, the classifier, mail)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    SPAM = "spam", "Spam"
    # Soft: a deleted comment keeps its place in the thread, so its replies are never lost.
    DELETED = "deleted", "Deleted"


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    PINGBACK = "pingback", "Pingback"
    TRACKBACK = "trackback", "Trackback"


class SourceFormat(models.TextChoices):
    MARKDOWN = "markdown", "Markdown"
    # Imported HTML (WordPress, Blogger): kept sanitised, shown as it was.
    HTML = "html", "HTML"


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.APPROVED)

    def pending(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PENDING)

    def spam(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.SPAM)

    def reported(self) -> CommentQuerySet:
        return self.filter(reports__isnull=False).exclude(status=CommentStatus.DELETED).distinct()


class Comment(models.Model):
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    kind = models.CharField(max_length=16, choices=CommentKind.choices, default=CommentKind.COMMENT)
    # Empty means the reader chose to stay anonymous. Any length: imports keep what was written
    # (the public form has its own limit).
    author_name = models.TextField(blank=True)
    # Never shown: for replies by mail, the first-time rule and the moderators' eyes.
    email = models.TextField(blank=True)
    url = models.TextField(blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # The source as written (Markdown, or HTML for imports) and what pages show, sanitised.
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    source_format = models.CharField(
        max_length=16, choices=SourceFormat.choices, default=SourceFormat.MARKDOWN
    )
    status = models.CharField(
        max_length=16, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    # Why it was held or marked spam, for the moderator ("held: 4 links").
    held_reason = models.CharField(max_length=200, blank=True)
    # The classifier's spam probability when the comment came in (None: not judged).
    spam_score = models.FloatField(null=True, blank=True)
    # What the classifier was last taught from this comment ("spam", "ham" or ""), so a
    # moderator changing their mind untrains the old lesson instead of teaching both.
    trained_as = models.CharField(max_length=8, blank=True)
    # Kept for moderation (rate limits, bans by address), forgotten after the retention period.
    client_hash = models.CharField(max_length=64, blank=True, db_index=True)
    network_hash = models.CharField(max_length=64, blank=True, db_index=True)
    user_agent = models.TextField(blank=True)
    # Exactly once: the form's signed stamp and a digest of name + email + body. A retried or
    # raced form hits the unique constraint below; record()ed comments leave both NULL, which
    # the constraint never compares equal (empty strings would make two imports collide).
    form_stamp = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    content_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    notify_replies = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "form_stamp", "content_digest"], name="comment_sent_once"
            )
        ]
        indexes = [models.Index(fields=["post", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.display_name} on post {self.post_id}"

    @property
    def display_name(self) -> str:
        return self.author_name or "Anonymous"

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.APPROVED


class CommentingMode(models.TextChoices):
    OPEN = "open", "Open (the site's policy)"
    MODERATED = "moderated", "Every comment waits for a moderator"
    CLOSED = "closed", "Closed"


class PostCommenting(models.Model):
    """A post's own commenting setting, set from the desk; posts without a row are open."""

    post = models.OneToOneField("blog.Post", on_delete=models.CASCADE, related_name="commenting")
    mode = models.CharField(max_length=16, choices=CommentingMode.choices)

    def __str__(self) -> str:
        return f"post {self.post_id}: {self.mode}"


class CommentReport(models.Model):
    """A reader flagged a comment; one report per reader (by hashed address) per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    client_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "client_hash"], name="report_once")
        ]

    def __str__(self) -> str:
        return f"report on comment {self.comment_id}"


class RuleTarget(models.TextChoices):
    WORD = "word", "Word in the body, name or website"
    NAME = "name", "Name"
    EMAIL = "email", "Email"
    ADDRESS = "address", "Client address"
    NETWORK = "network", "Client network (/24, /64)"


class RuleAction(models.TextChoices):
    HOLD = "hold", "Hold for a moderator"
    BAN = "ban", "Refuse"
    # The author is told the comment was received; nobody ever sees it.
    SHADOW = "shadow", "Shadowban"


class ModerationRule(models.Model):
    """A blocked word, name, email or address (with `*` wildcards), or a ban."""

    target = models.CharField(max_length=16, choices=RuleTarget.choices)
    # Addresses and networks are stored as keyed hashes (never the address), words and names as
    # written, matched case-insensitively with `*` standing for any run of characters.
    pattern = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=RuleAction.choices, default=RuleAction.HOLD)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "pattern"], name="one_rule_per_pattern")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target} {self.pattern}"


class SpamToken(models.Model):
    """The classifier's memory: how often a token appeared in spam and in good comments."""

    token = models.CharField(max_length=64, unique=True)
    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.token}: {self.spam} spam, {self.ham} good"


class SpamCorpus(models.Model):
    """How many comments the classifier was taught as spam and as good (one row, id 1)."""

    spam = models.PositiveIntegerField(default=0)
    ham = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.spam} spam, {self.ham} good"


class OutboxMessage(models.Model):
    """Mail waiting to be sent by the worker: nothing is lost while the mail server is down."""

    to = models.TextField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"


class UsedLink(models.Model):
    """A one-click link from a mail that has been used: each works once."""

    digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.digest
