"""Sign-in: the throttle counted in the database, and the authentication backend that applies it.

Every sign-in goes through `ThrottledModelBackend` (the only entry in AUTHENTICATION_BACKENDS), so
the desk's form, the admin's form and any other caller of `django.contrib.auth.authenticate` are
counted and refused alike. The counts live in a table, not in a process's memory, so every web
process and machine sees the same numbers. The forms ask `refusal()` first only to say why a
sign-in was refused; the backend refuses whether they asked or not.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from dateline.core.client_address import client_address, hashed
from dateline.desk import two_factor
from dateline.desk.domain.sign_in_throttle import ThrottleRule, refused_until
from dateline.desk.models import SignInFailure


def _rules() -> tuple[ThrottleRule, ThrottleRule]:
    limits = settings.SIGN_IN_LIMITS
    window = timedelta(minutes=limits.window_minutes)
    lockout = timedelta(minutes=limits.lockout_minutes)
    return (
        ThrottleRule(limit=limits.account_failures, window=window, lockout=lockout),
        ThrottleRule(limit=limits.address_failures, window=window, lockout=lockout),
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    """One sign-in attempt's keys: its account and its client address, hashed."""

    account_key: str
    address_key: str

    @classmethod
    def of(cls, request: HttpRequest | None, username: str) -> Attempt:
        # Django's own normalisation of user names, so a full-width "editor" counts as "editor".
        name = unicodedata.normalize("NFKC", username)
        address = client_address(request) if request is not None else "no request"
        return cls(
            account_key=hashed(name, purpose="sign-in-account"),
            address_key=hashed(address, purpose="sign-in-address"),
        )

    def refused_until(self, now: datetime | None = None) -> datetime | None:
        now = now or timezone.now()
        account_rule, address_rule = _rules()
        until = [
            refused_until(_failures(account_key=self.account_key, limit=account_rule.limit),
                          account_rule, now),
            refused_until(_failures(address_key=self.address_key, limit=address_rule.limit),
                          address_rule, now),
        ]  # fmt: skip
        refusals = [moment for moment in until if moment is not None]
        return max(refusals) if refusals else None

    def failed(self, now: datetime | None = None) -> None:
        now = now or timezone.now()
        forgotten = now - max(rule.remembered for rule in _rules())
        SignInFailure.objects.filter(at__lt=forgotten).delete()
        SignInFailure.objects.create(account_key=self.account_key, address_key=self.address_key,
                                     at=now)  # fmt: skip

    def succeeded(self) -> None:
        # The address keeps its count: one right password must not reset a guesser's budget
        # across every other account.
        SignInFailure.objects.filter(account_key=self.account_key).delete()


def _failures(*, limit: int, **key: str) -> list[datetime]:
    return list(SignInFailure.objects.filter(**key).order_by("-at").values_list("at", flat=True)
                [:limit])  # fmt: skip


def refusal(request: HttpRequest | None, username: str) -> str | None:
    """Why a sign-in as `username` from this request is refused now, in words, or None."""
    until = Attempt.of(request, username).refused_until()
    if until is None:
        return None
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return (
        "Too many failed sign-ins for this account or from your address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


class ThrottledModelBackend(ModelBackend):
    """Django's user-and-password backend, behind the throttle and the optional second factor.

    A user who turned two-factor on must give a current code with the password; a wrong or
    missing code is a failed sign-in like a wrong password, so codes are throttled too.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        one_time_code: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        attempt = Attempt.of(request, username)
        if attempt.refused_until() is not None:
            # Stops django.contrib.auth.authenticate from trying any other backend.
            raise PermissionDenied("sign-ins refused for now")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if (
            user is not None
            and two_factor.is_on(user)
            and not two_factor.verify(user, one_time_code or "")
        ):
            user = None
        if user is None:
            attempt.failed()
        else:
            attempt.succeeded()
        return user
