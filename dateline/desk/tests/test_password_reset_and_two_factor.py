"""Password reset by email through a real SMTP server on loopback, and optional TOTP sign-in."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.core import config as registry
from dateline.desk.access import EDITOR_GROUP, grant
from dateline.desk.models import SignInFailure
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user(
        "ed", email="ed@example.org", password="the old password"
    )
    grant(user, EDITOR_GROUP)
    return user


def test_a_forgotten_password_is_reset_through_a_link_mailed_over_smtp(client, editor):
    with SmtpServer() as smtp:
        mail = registry.email_backend(
            registry.Config({"DATELINE_EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"})
        )
        with override_settings(**mail, SITE_NAME="World News Updates",
                               DEFAULT_FROM_EMAIL="desk@example.org"):  # fmt: skip
            sent = client.post(reverse("desk:password_reset"), {"email": "ed@example.org"})
            # An address no account has gets the same answer, and no mail.
            client.post(reverse("desk:password_reset"), {"email": "nobody@example.org"})
        received = smtp.messages

    assert sent.status_code == 302 and sent["Location"] == reverse("desk:password_reset_done")
    assert len(received) == 1
    message = received[0]
    assert message.recipients == ("ed@example.org",)
    assert message["From"] == "desk@example.org"
    assert message["Subject"] == "Choose a new password for World News Updates"
    link = re.search(r"http://testserver(/desk/password-reset/\S+/\S+/)", message.text())
    assert link is not None, message.text()

    # Django swaps the token for a session key and redirects to the form's own address.
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a new long password", "new_password2": "a new long password"},
    )
    assert done["Location"] == reverse("desk:password_reset_complete")
    assert client.login(username="ed", password="a new long password")
    # The link works once.
    assert not client.get(link.group(1), follow=True).context["validlink"]


def code_for(key_base32: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key now (or a step later: each code signs in
    once, so a test that already used the current one takes the next)."""
    from base64 import b32decode

    padded = key_base32 + "=" * (-len(key_base32) % 8)
    totp = TOTP(b32decode(padded))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_two_factor_is_off_until_the_editor_confirms_an_app_then_every_sign_in_asks_a_code(
    client, editor
):
    client.login(username="ed", password="the old password")
    page = client.get(reverse("desk:account"))
    key = page.context["enrolment"].key_base32
    assert key in page.content.decode()
    assert '<svg width="' in page.content.decode()  # the QR code apps scan
    assert "otpauth://totp/" in page.context["enrolment"].otpauth_url

    wrong = client.post(reverse("desk:account"), {"code": "000000" if code_for(key) != "000000"
                                                  else "111111"})  # fmt: skip
    assert "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    # django-otp makes a device wait a second after a wrong code (doubling with each): as if that
    # second had passed.
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)

    turned_on = client.post(reverse("desk:account"), {"code": code_for(key)}, follow=True)
    assert "Two-factor sign-in is on" in turned_on.content.decode()
    client.logout()

    without = client.post(reverse("desk:login"), {"username": "ed", "password": "the old password"})
    assert without.status_code == 200 and "_auth_user_id" not in client.session
    assert SignInFailure.objects.count() == 1  # a missing code is a failure, throttled as one
    with_code = client.post(
        reverse("desk:login"),
        {"username": "ed", "password": "the old password",
         "one_time_code": code_for(key, steps_ahead=1)},
    )  # fmt: skip
    assert with_code.status_code == 302 and with_code["Location"] == "/desk/"


def test_turning_two_factor_off_asks_first_and_works_without_javascript(client, editor):
    client.login(username="ed", password="the old password")
    key = client.get(reverse("desk:account")).context["enrolment"].key_base32
    client.post(reverse("desk:account"), {"code": code_for(key)})

    asked = client.post(reverse("desk:account"), {"action": "turn-off"})
    assert asked.status_code == 200
    body = asked.content.decode()
    assert "Turn two-factor sign-in off?" in body
    assert '<input type="hidden" name="action" value="turn-off">' in body
    assert '<input type="hidden" name="confirmed" value="yes">' in body
    assert TOTPDevice.objects.filter(confirmed=True).exists()  # nothing done yet

    done = client.post(reverse("desk:account"), {"action": "turn-off", "confirmed": "yes"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.exists()
