"""The sign-in forms (desk and admin) and the two-factor forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from dateline.desk import sign_in

INVALID_LOGIN = (
    "That user name and password do not match, or the two-factor code is wrong or missing. "
    "Both fields are case-sensitive."
)


class _Throttled:
    """Says when the throttle refuses a sign-in, instead of "wrong password".

    The backend refuses either way; this only names the reason, before and after the attempt
    that reached the limit.
    """

    request: Any
    cleaned_data: dict[str, Any]

    def _refuse_if_throttled(self) -> None:
        username = self.cleaned_data.get("username")
        if username:
            reason = sign_in.refusal(self.request, username)
            if reason:
                raise ValidationError(reason, code="throttled")


class DeskSignInForm(_Throttled, AuthenticationForm):
    """User name, password and, for editors who turned two-factor on, a current code."""

    one_time_code = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=12,
        help_text="Only if you turned on two-factor sign-in: the 6 digits your app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    @sensitive_variables()
    def clean(self) -> dict[str, Any]:
        self._refuse_if_throttled()
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(
                self.request,
                username=username,
                password=password,
                one_time_code=self.cleaned_data.get("one_time_code", ""),
            )
            if self.user_cache is None:
                self._refuse_if_throttled()
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminSignInForm(_Throttled, AdminAuthenticationForm):
    """The admin's own form, with the throttle's reason shown. It has no code field: an account
    with two-factor on signs in at /desk/login/, and the admin then accepts that session."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter the correct %(username)s and password for a staff account. Accounts "
            "with two-factor sign-in on sign in at /desk/login/ first."
        ),
    }

    @sensitive_variables()
    def clean(self) -> dict[str, Any]:
        self._refuse_if_throttled()
        try:
            return super().clean()
        except ValidationError:
            self._refuse_if_throttled()
            raise


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )
