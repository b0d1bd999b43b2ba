"""The desk's tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
