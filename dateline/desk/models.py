"""The desk's own tables: failed sign-ins (the throttle), what the editor decided about each
story on triage, and the update suggestions waiting in the inbox (decision 0088)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models

from dateline.blog.models import Post
from dateline.stories.models import Story
from dateline.wire.models import Article, Outlet


class SignInFailure(models.Model):
    """One failed sign-in, counted against its account and its client address.

    Both are kept as keyed hashes (`dateline.core.client_address.hashed`): the table says how often
    a name or an address failed, not which names were tried (people type passwords into the
    name field) nor who tried them. Rows older than the throttle's window plus its lockout are
    deleted as new failures are written.
    """

    account_key = models.CharField(max_length=64)
    address_key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["account_key", "-at"], name="desk_failure_account"),
            models.Index(fields=["address_key", "-at"], name="desk_failure_address"),
        ]

    def __str__(self) -> str:
        return f"sign-in failure at {self.at:%Y-%m-%d %H:%M:%S}"


class StoryDeskState(models.Model):
    """The editor's marks on one story: dismissed, snoozed until a time, covered.

    A row exists only for a story the editor marked; triage reads it with a left join, so the
    stories the editor never touched cost nothing. Kept beside the story rather than in it: the
    stories app knows nothing of the desk.
    """

    story = models.OneToOneField(
        Story, on_delete=models.CASCADE, primary_key=True, related_name="desk_state"
    )
    dismissed = models.BooleanField(default=False)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # Covered elsewhere (another blog, an earlier post not linked to the story): triage marks it.
    covered = models.BooleanField(default=False)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "story's desk state"

    def __str__(self) -> str:
        return f"desk state of story {self.story_id}"

    def snoozed_at(self, now: datetime) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > now


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "waiting in the inbox"
    ACCEPTED = "accepted", "appended to the post"
    DISMISSED = "dismissed", "dismissed"


class UpdateSuggestionQuerySet(models.QuerySet["UpdateSuggestion"]):
    def pending(self) -> UpdateSuggestionQuerySet:
        return self.filter(status=SuggestionStatus.PENDING)

    def for_inbox(self) -> UpdateSuggestionQuerySet:
        """Newest first, with the post, the outlet and the article: one query."""
        return (
            self.pending().select_related("post", "article__outlet").order_by("-created_at", "-id")
        )


class UpdateSuggestion(models.Model):
    """A proposed "Update:" line for a published post: an outlet new to the post's story reported.

    One per outlet per post, whatever became of it: a dismissed suggestion is not offered again
    when the same outlet reports once more.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    # The proposed text: the article's headline, which the editor may edit before accepting.
    text = models.TextField()
    status = models.CharField(
        max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = UpdateSuggestionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "outlet"], name="desk_suggestion_one_per_outlet"
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="desk_suggestion_inbox")]

    def __str__(self) -> str:
        return f"update for post {self.post_id} from outlet {self.outlet_id}"


class EditorSettings(models.Model):
    """An editor's own choices on the desk: the name their commentary is signed with."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_settings"
    )
    # "WNU Editor"; empty means the site's default (DATELINE_EDITOR_SIGNATURE).
    signature = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "editor settings"

    def __str__(self) -> str:
        return f"desk settings of user {self.user_id}"


def signature_of(user: object) -> str:
    """The name `user`'s commentary is signed with: their own, else the site's default."""
    own = (
        EditorSettings.objects.filter(user_id=getattr(user, "pk", None))
        .values_list("signature", flat=True)
        .first()
    )
    return own or settings.EDITOR_SIGNATURE


def remember_signature(user: object, signature: str) -> None:
    """Keeps `signature` as the user's own when it differs from what they sign with now."""
    signature = " ".join(signature.split())[:200]
    user_id = getattr(user, "pk", None)
    if user_id is None or not signature or signature == signature_of(user):
        return
    EditorSettings.objects.update_or_create(user_id=user_id, defaults={"signature": signature})
