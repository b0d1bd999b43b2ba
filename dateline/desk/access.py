"""Who may use the desk: one rule, read by every desk view and the comment moderation screens.

A user reaches the desk when active and either a superuser or a member of the `editor` group (every
desk page); members of `moderator` reach only the comment moderation screens. `is_staff` alone
admits nobody: it is the admin's flag, and the admin refuses a staff user without permissions, so
the desk must not let the same user publish.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from dateline.desk.exceptions import NotAllowed

EDITOR_GROUP = "editor"
MODERATOR_GROUP = "moderator"

View = Callable[..., HttpResponse]


def _groups(user: User | AnonymousUser) -> frozenset[str]:
    # Read once per user object (one query): a desk page may ask several times.
    cached = getattr(user, "_dateline_desk_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._dateline_desk_groups = cached  # type: ignore[union-attr]
    return cached


def can_edit(user: User | AnonymousUser) -> bool:
    """May use every desk page: triage, compose, publish, feeds."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or EDITOR_GROUP in _groups(user)


def can_moderate(user: User | AnonymousUser) -> bool:
    """May use the comment moderation screens."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(_groups(user) & {EDITOR_GROUP, MODERATOR_GROUP})


def _requires(rule: Callable[[Any], bool], refusal: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), "desk:login")
            if not rule(request.user):
                raise NotAllowed(refusal)
            return view(request, *args, **kwargs)

        return guarded

    return decorate


editor_required = _requires(
    can_edit, "Your account cannot use the desk: ask an administrator to add you to the editors."
)
moderator_required = _requires(
    can_moderate,
    "Your account cannot moderate comments: ask an administrator to add you to the moderators.",
)

# Pages every desk user has, whatever the role: their own account (two-factor sign-in).
desk_user_required = _requires(
    can_moderate, "Your account cannot use the desk: ask an administrator to add you to a group."
)


def grant(user: User, group_name: str) -> None:
    """Puts `user` in one of the desk's groups, creating the group if a flush removed it."""
    from django.contrib.auth.models import Group

    if group_name not in (EDITOR_GROUP, MODERATOR_GROUP):
        raise ValueError(f"{group_name!r} is not one of the desk's groups")
    group, _ = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    if hasattr(user, "_dateline_desk_groups"):
        del user._dateline_desk_groups
