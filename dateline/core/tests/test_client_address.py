import pytest
from django.test import RequestFactory, override_settings

from dateline.core.client_address import client_address, hashed, network_of


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@override_settings(BEHIND_TLS_PROXY=False)
def test_without_a_proxy_a_forwarded_header_is_the_clients_word_and_ignored():
    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(BEHIND_TLS_PROXY=True, TRUSTED_PROXY_HOPS=1)
def test_behind_one_proxy_the_last_entry_is_the_client():
    # The client wrote "1.1.1.1" itself; the proxy appended the address it really saw.
    assert client_address(request_from("127.0.0.1", "1.1.1.1, 198.51.100.7")) == "198.51.100.7"


@override_settings(BEHIND_TLS_PROXY=True, TRUSTED_PROXY_HOPS=2)
def test_behind_a_cdn_and_a_proxy_the_second_entry_from_the_right_is_the_client():
    forwarded = "1.1.1.1, 198.51.100.7, 192.0.2.50"
    assert client_address(request_from("127.0.0.1", forwarded)) == "198.51.100.7"


@override_settings(BEHIND_TLS_PROXY=True, TRUSTED_PROXY_HOPS=2)
def test_a_request_that_skipped_a_proxy_falls_back_to_the_connection():
    assert client_address(request_from("192.0.2.50", "198.51.100.7")) == "192.0.2.50"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2001:DB8::0:1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("192.0.2.1:5678", "192.0.2.1"),
        ("not an address", "unknown"),
        ("", "unknown"),
    ],
)
@override_settings(BEHIND_TLS_PROXY=False)
def test_addresses_are_read_in_one_canonical_form(written, canonical):
    assert client_address(request_from(written)) == canonical


def test_neighbours_share_a_network():
    assert network_of("192.0.2.1") == network_of("192.0.2.254") == "192.0.2.0/24"
    assert network_of("192.0.3.1") != network_of("192.0.2.1")
    assert (
        network_of("2001:db8:0:1::1") == network_of("2001:db8:0:1:ffff::9") == "2001:db8:0:1::/64"
    )
    assert network_of("unknown") == "unknown"


def test_hashes_hide_the_address_and_differ_by_purpose():
    digest = hashed("192.0.2.1", purpose="comments")
    assert "192.0.2.1" not in digest
    assert digest == hashed("192.0.2.1", purpose="comments")
    assert digest != hashed("192.0.2.1", purpose="sign-in")
    assert digest != hashed("192.0.2.2", purpose="comments")
