"""Session keys from cookies: only what Django could have written is looked up."""

from __future__ import annotations

import pytest
from django.conf import settings

from dateline.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_site_uses_the_store_that_refuses_hostile_keys() -> None:
    assert settings.SESSION_ENGINE == "dateline.core.sessions"


@pytest.mark.parametrize(
    "cookie",
    ["\x00" * 32, "abcdefgh\x00ijklmnop", "abcdefgh'; --", "ábcdefghijklmnop"],
    ids=["nul", "nul-inside", "quote", "non-ascii"],
)
def test_a_key_django_could_not_have_made_is_no_session(cookie: str) -> None:
    store = SessionStore(cookie)
    assert store.session_key is None
    assert store.load() == {}  # nothing was looked up that the database could refuse


def test_a_key_django_made_is_read_back() -> None:
    store = SessionStore()
    store["desk"] = "open"
    store.save()
    assert SessionStore(store.session_key).load() == {"desk": "open"}
