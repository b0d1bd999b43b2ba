"""The desk's tables."""

from __future__ import annotations

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
