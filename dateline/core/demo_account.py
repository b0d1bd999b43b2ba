"""The demo's editor account. Its password is in the README and printed by `make run`, so a site
that still holds it lets anyone into the desk: the demo creates it, production refuses to run with
it (`dateline serve`, `dateline worker`, `dateline check --deploy`)."""

from __future__ import annotations

USERNAME = "editor"
PASSWORD = "editor"


def present() -> bool:
    """Whether the database holds the account, active, with its published password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    user = get_user_model().objects.filter(username=USERNAME, is_active=True).first()
    # The hasher's own comparison, without its setter: checking never rewrites the stored hash.
    return user is not None and check_password(PASSWORD, user.password)
