"""Signing in to the desk: the no-JavaScript path, the throttle, sessions, the admin's sign-in."""

from __future__ import annotations

import http.cookiejar
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from dateline.core import config as registry
from dateline.desk.access import EDITOR_GROUP, grant
from dateline.desk.models import SignInFailure
from tests.support.processes import isolated_env

pytestmark = pytest.mark.django_db

LIMITS = registry.SignInLimits(
    account_failures=5, address_failures=20, window_minutes=15, lockout_minutes=15
)


class _Forms(HTMLParser):
    """Every form of a page: its action, method and inputs (name, type, value) as served."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action") or "", "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append(
                (attributes.get("name"), attributes.get("type", "text"), attributes.get("value"))
            )


def test_a_client_without_javascript_signs_in_with_the_forms_hidden_fields_and_lands_on_triage(
    live_server,
):
    get_user_model().objects.create_superuser("editor", password="editor")
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    first_hop = urllib.request.build_opener(
        NoRedirect(), urllib.request.HTTPCookieProcessor(cookies)
    )
    with pytest.raises(urllib.error.HTTPError) as redirected:
        first_hop.open(live_server.url + "/desk/")
    assert redirected.value.code == 302
    assert redirected.value.headers["Location"] == "/desk/login/?next=/desk/"

    with browser.open(live_server.url + "/desk/login/?next=/desk/") as answer:
        page = answer.read().decode()
    forms = _Forms()
    forms.feed(page)
    sign_in = next(f for f in forms.forms if any(kind == "password" for _, kind, _ in f["inputs"]))
    fields = {name: value or "" for name, kind, value in sign_in["inputs"] if kind == "hidden"}
    for name, kind, _ in sign_in["inputs"]:
        if kind == "password" or name == "username":
            fields[name] = "editor"
    target = urllib.parse.urljoin(live_server.url + "/desk/login/", sign_in["action"])
    with browser.open(target, data=urllib.parse.urlencode(fields).encode()) as answer:
        landed = answer.geturl()
        body = answer.read().decode()
    assert urllib.parse.urlsplit(landed).path == "/desk/"
    assert 'id="triage-list"' in body  # the triage page itself, not the sign-in page again


@override_settings(SITE_NAME="World News Updates")
def test_the_sign_in_page_is_titled_with_the_sites_name_not_the_requests_host(client):
    page = client.get("/desk/login/", HTTP_HOST="localhost").content.decode()
    assert "<title>Sign in · World News Updates</title>" in page
    assert "localhost" not in page.partition("</head>")[0]


def sign_in(client: Client, username: str, password: str, **extra: str):
    return client.post(
        "/desk/login/", {"username": username, "password": password, "next": "/desk/"}, **extra
    )


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("ed", password="the right password")
    grant(user, EDITOR_GROUP)
    return user


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_five_failures_for_an_account_refuse_even_the_right_password_for_fifteen_minutes(
    client, editor
):
    for attempt in range(5):
        page = sign_in(client, "ed", f"wrong {attempt}", REMOTE_ADDR=f"198.51.100.{attempt}")
        assert page.status_code == 200
    refused = sign_in(client, "ed", "the right password", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 200  # the form again, not the desk
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same addresses is not refused: the limit is the account's.
    other = get_user_model().objects.create_superuser("boss", password="boss password")
    assert sign_in(client, "boss", "boss password", REMOTE_ADDR="198.51.100.1").status_code == 302
    client.logout()

    # Fifteen minutes after the last failure, the right password works again.
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert sign_in(client, "ed", "the right password").status_code == 302
    assert other.pk != editor.pk


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_twenty_failures_from_one_address_refuse_every_account_from_it(client, editor):
    for attempt in range(20):
        sign_in(client, f"guess{attempt}", "guess", REMOTE_ADDR="192.0.2.7")
    refused = sign_in(client, "ed", "the right password", REMOTE_ADDR="192.0.2.7")
    assert "Too many failed sign-ins" in refused.content.decode()
    assert sign_in(client, "ed", "the right password", REMOTE_ADDR="192.0.2.8").status_code == 302


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_a_successful_sign_in_clears_the_accounts_count(client, editor):
    for attempt in range(4):
        sign_in(client, "ed", "typo", REMOTE_ADDR=f"198.51.100.{attempt}")
    assert sign_in(client, "ed", "the right password").status_code == 302
    client.logout()
    for attempt in range(4):
        sign_in(client, "ed", "typo", REMOTE_ADDR=f"198.51.100.{attempt}")
    # Eight failures in the window, but only four since the success.
    assert sign_in(client, "ed", "the right password").status_code == 302


@override_settings(SIGN_IN_LIMITS=LIMITS, BEHIND_TLS_PROXY=True, TRUSTED_PROXY_HOPS=1)
def test_behind_a_proxy_the_address_counted_is_the_one_the_proxy_saw(client, editor):
    for attempt in range(20):
        # The client writes a fresh address each time; the proxy appends the real one.
        sign_in(client, f"guess{attempt}", "guess", REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, 192.0.2.7")  # fmt: skip
    refused = sign_in(
        client, "ed", "the right password", REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.7",
    )  # fmt: skip
    assert "Too many failed sign-ins" in refused.content.decode()


@override_settings(SIGN_IN_LIMITS=LIMITS)
def test_the_admins_sign_in_counts_and_is_refused_the_same_way(client):
    get_user_model().objects.create_superuser("boss", password="boss password")
    for attempt in range(5):
        client.post("/admin/login/", {"username": "boss", "password": f"no {attempt}"})
    refused = client.post(
        "/admin/login/?next=/admin/", {"username": "boss", "password": "boss password"}
    )
    assert refused.status_code == 200
    assert "Too many failed sign-ins" in refused.content.decode()
    # And the desk, sharing the count, refuses too.
    assert "Too many failed sign-ins" in sign_in(client, "boss", "boss password").content.decode()


def test_failures_are_stored_as_hashes_not_as_the_names_or_addresses_tried(client, editor):
    sign_in(client, "my password by mistake", "x", REMOTE_ADDR="198.51.100.77")
    row = SignInFailure.objects.get()
    assert "mistake" not in row.account_key and "198.51" not in row.address_key
    assert len(row.account_key) == len(row.address_key) == 64


@override_settings(SESSION_COOKIE_AGE=3 * 24 * 60 * 60)
def test_a_sign_in_lasts_the_configured_days(client, editor):
    answer = sign_in(client, "ed", "the right password")
    assert answer.status_code == 302 and answer["Location"] == "/desk/"
    assert client.session.get_expiry_age() == 3 * 24 * 60 * 60
    assert answer.cookies["sessionid"]["max-age"] == 3 * 24 * 60 * 60


def test_the_site_reads_its_session_days_and_sign_in_limits_from_the_environment(tmp_path):
    env = isolated_env(tmp_path, DATELINE_SESSION_DAYS="3", DATELINE_SIGNIN_ACCOUNT_FAILURES="7")
    shown = subprocess.run(
        [sys.executable, "-c",
         "import dateline.settings as s; print(s.SESSION_COOKIE_AGE, s.SIGN_IN_LIMITS)"],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert shown.stdout.startswith(f"{3 * 24 * 60 * 60} SignInLimits(account_failures=7,")


def test_session_days_come_from_the_registry_with_bounds():
    assert registry.session_days(registry.Config({})) == 14
    assert registry.session_days(registry.Config({"DATELINE_SESSION_DAYS": "30"})) == 30
    for bad in ("0", "366", "two weeks"):
        with pytest.raises(registry.ConfigurationError):
            registry.session_days(registry.Config({"DATELINE_SESSION_DAYS": bad}))
    assert registry.sign_in_limits(registry.Config({})) == LIMITS


def test_signing_out_is_a_post_and_lands_on_the_sign_in_page(client, editor):
    sign_in(client, "ed", "the right password")
    page = client.get("/desk/feeds/").content.decode()
    assert f'action="{reverse("desk:logout")}"' in page
    answer = client.post(reverse("desk:logout"), follow=True)
    assert answer.redirect_chain[-1][0] == reverse("desk:login")
    assert "You are signed out." in answer.content.decode()
    assert client.get("/desk/").status_code == 302
