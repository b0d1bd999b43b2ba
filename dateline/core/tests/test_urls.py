"""Canonical URLs: examples for each rule, then properties over generated URLs."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.core.urls import InvalidURL, canonical_url, is_tracking_parameter


@pytest.mark.parametrize(
    "url, expected",
    [
        ("HTTP://Example.ORG/News/A", "https://example.org/News/A"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org/a/", "https://example.org/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://user:pw@example.org/a", "https://example.org/a"),
        ("https://example.org./a", "https://example.org/a"),
        ("https://example.org/a/./b/../c", "https://example.org/a/c"),
        ("https://example.org/%7euser/caf%c3%a9", "https://example.org/~user/caf%C3%A9"),
        ("https://example.org/a%2fb", "https://example.org/a%2Fb"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        (
            "https://example.org/a?utm_source=rss&id=7&utm_medium=feed&fbclid=X&gclid=Y",
            "https://example.org/a?id=7",
        ),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?CMP=twt_gu&at_medium=RSS", "https://example.org/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    ],
)
def test_examples(url, expected):
    assert canonical_url(url) == expected


def test_different_pages_keep_different_keys():
    assert canonical_url("https://example.org/a?id=1") != canonical_url(
        "https://example.org/a?id=2"
    )
    assert canonical_url("https://example.org/a%FF") != canonical_url("https://example.org/a%FE")
    assert canonical_url("https://a.example.org/x") != canonical_url("https://b.example.org/x")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.org/a",
        "ftp://example.org/a",
        "javascript:alert(1)",
        "https:///a",
        "https://example.org:99999/a",
    ],
)
def test_not_http_urls_are_refused(url):
    with pytest.raises(InvalidURL):
        canonical_url(url)


segment = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#"), max_size=8
)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
hosts = st.lists(label, min_size=1, max_size=3).map(lambda ls: ".".join([*ls, "example"]))
params = st.lists(
    st.tuples(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), st.text(max_size=6)),
    max_size=4,
).map(lambda pairs: [(k, v) for k, v in pairs if not is_tracking_parameter(k)])


def build(scheme, host, port, path, pairs, fragment=""):
    from urllib.parse import quote, urlencode

    netloc = host if port is None else f"{host}:{port}"
    query = urlencode(pairs, quote_via=quote)
    text = f"{scheme}://{netloc}/" + "/".join(quote(s, safe="") for s in path)
    if query:
        text += "?" + query
    if fragment:
        text += "#" + fragment
    return text


urls = st.builds(
    build,
    st.sampled_from(["http", "https", "HTTPS"]),
    hosts,
    st.sampled_from([None, 8080]),
    st.lists(segment, max_size=4),
    params,
)


@given(urls)
def test_canonical_form_is_a_fixed_point(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(
    hosts,
    st.lists(segment, max_size=4),
    params,
    st.lists(
        st.sampled_from(["utm_source", "utm_campaign", "fbclid", "gclid", "mc_eid"]),
        min_size=1,
        max_size=3,
    ),
    st.text(max_size=5),
)
def test_tracking_parameters_and_fragments_never_change_the_key(host, path, pairs, tracking, frag):
    plain = build("https", host, None, path, pairs)
    tracked = build("https", host, None, path, [*pairs, *((name, "x") for name in tracking)], frag)
    assert canonical_url(tracked) == canonical_url(plain)
    assert not any(name in canonical_url(tracked) for name in tracking)


@given(hosts, st.lists(segment, max_size=4), params)
def test_scheme_case_default_port_and_trailing_slash_never_change_the_key(host, path, pairs):
    base = canonical_url(build("https", host, None, path, pairs))
    assert canonical_url(build("HTTP", host.upper(), 80, path, pairs)) == base
    assert canonical_url(build("https", host, 443, path, pairs)) == base
    assert canonical_url(build("https", host, None, [*path, ""], pairs)) == base


@given(urls)
def test_key_is_an_https_url_without_fragment_or_credentials(url):
    parts = urlsplit(canonical_url(url))
    assert parts.scheme == "https" and not parts.fragment and parts.username is None
    assert parts.port in (None, 8080)
