"""Signing in and out, password reset by email, and the account page (two-factor on or off)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from dateline.desk import confirm, two_factor
from dateline.desk.access import desk_user_required
from dateline.desk.account_forms import ConfirmCodeForm, DeskSignInForm


class _SiteNamed:
    """Django's auth views put the request's host in `site_name` (a `RequestSite`), over the
    context processor's value: the pages and mails show the blog's name instead."""

    extra_context = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["site_name"] = settings.SITE_NAME
        return context


class SignInView(_SiteNamed, auth_views.LoginView):
    template_name = "desk/login.html"
    form_class = DeskSignInForm


class SignOutView(auth_views.LogoutView):
    next_page = reverse_lazy("desk:login")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        answer = super().post(request, *args, **kwargs)
        messages.info(request, "You are signed out.")
        return answer


class PasswordResetView(_SiteNamed, auth_views.PasswordResetView):
    template_name = "desk/password_reset_form.html"
    email_template_name = "desk/password_reset_email.txt"
    subject_template_name = "desk/password_reset_subject.txt"
    success_url = reverse_lazy("desk:password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        return {"site_name": settings.SITE_NAME}


class PasswordResetDoneView(_SiteNamed, auth_views.PasswordResetDoneView):
    template_name = "desk/password_reset_done.html"


class PasswordResetConfirmView(_SiteNamed, auth_views.PasswordResetConfirmView):
    template_name = "desk/password_reset_confirm.html"
    success_url = reverse_lazy("desk:password_reset_complete")


class PasswordResetCompleteView(_SiteNamed, auth_views.PasswordResetCompleteView):
    template_name = "desk/password_reset_complete.html"


@desk_user_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in: add an authenticator app and confirm it with a code, or turn it off."""
    user = request.user
    form = ConfirmCodeForm()
    if request.method == "POST" and request.POST.get("action") == "turn-off":
        asking = confirm.ask(
            request,
            question="Turn two-factor sign-in off? Your password alone will then sign you in.",
            yes="Turn two-factor off",
            cancel_url=reverse_lazy("desk:account"),
        )
        if asking is not None:
            return asking
        two_factor.turn_off(user)  # type: ignore[arg-type]
        messages.success(request, "Two-factor sign-in is off.")
        return redirect("desk:account")
    if request.method == "POST":
        form = ConfirmCodeForm(request.POST)
        if form.is_valid():
            if two_factor.confirm(user, form.cleaned_data["code"]):  # type: ignore[arg-type]
                messages.success(
                    request, "Two-factor sign-in is on: sign-ins now ask for a code from your app."
                )
                return redirect("desk:account")
            form.add_error(
                "code",
                "That code does not match, or came too soon after a wrong one: check the key "
                "in your app and its clock, and try the next code.",
            )
    is_on = two_factor.is_on(user)  # type: ignore[arg-type]
    enrolment = None if is_on else two_factor.pending_enrolment(user)  # type: ignore[arg-type]
    return render(
        request,
        "desk/account.html",
        {"two_factor_on": is_on, "enrolment": enrolment, "form": form},
    )
