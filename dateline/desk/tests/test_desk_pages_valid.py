"""Every desk page passes the Nu Html Checker with no errors: signed out, signed in, and the
pages only an action shows (a form with errors, a confirmation, a flash message)."""

from __future__ import annotations

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from dateline.desk.tests.desk_site import EDITOR, build_desk_site
from dateline.wire.models import Feed
from tests.support import nu_checker

pytestmark = pytest.mark.django_db


def test_every_desk_page_passes_the_nu_html_checker(client, tmp_path):
    reason = nu_checker.missing()
    if reason:
        pytest.fail(f"the Nu Html Checker cannot run: {reason}")
    site = build_desk_site()
    pages: dict[str, bytes] = {}

    def keep(name: str, answer, status: int = 200) -> None:  # type: ignore[no-untyped-def]
        assert answer.status_code == status, name
        pages[name] = answer.content

    for name, path in site.public_pages.items():
        keep(name, client.get(path))
    keep("login-failed", client.post("/desk/login/", {"username": "editor", "password": "no"}))
    uid = urlsafe_base64_encode(force_bytes(site.editor.pk))
    token = default_token_generator.make_token(site.editor)
    keep("password-reset-form", client.get(f"/desk/password-reset/{uid}/{token}/", follow=True))

    assert client.login(username=EDITOR[0], password=EDITOR[1])
    for name, path in site.pages.items():
        keep(name, client.get(path))
    keep("feeds-bad-address", client.post("/desk/feeds/", {"url": "not a web address"}), 400)
    paused = Feed.objects.get(url="https://gb.example/rss")
    keep("confirm", client.post(reverse("desk:feed_active", args=[paused.pk])))
    keep("feeds-flash",
         client.post(reverse("desk:feed_active", args=[paused.pk]), {"confirmed": "yes"},
                     follow=True))  # fmt: skip
    keep("account-code-wrong", client.post("/desk/account/", {"code": "12"}))
    keep("signed-out", client.post("/desk/logout/", follow=True))

    problems = nu_checker.errors(pages, tmp_path)
    assert not problems, "\n".join(str(problem) for problem in problems)
