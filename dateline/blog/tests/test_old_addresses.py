"""Imported posts' old addresses answer 301 to their new ones, before the page cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.blog import services
from dateline.blog.domain.old_addresses import address_key, may_be_old_address
from dateline.blog.models import OldAddress, PostKind, PostStatus
from dateline.blog.tests.factories import seed_post


def test_keys_drop_the_trailing_slash_and_keep_only_a_wordpress_id_at_the_root():
    assert address_key("/2009/01/15/hello-world/") == "/2009/01/15/hello-world"
    assert address_key("/2009/01/15/hello-world") == "/2009/01/15/hello-world"
    assert address_key("/2009/01/my_post.html", "m=1") == "/2009/01/my_post.html"
    assert address_key("/", "p=12&utm_source=x") == "/?p=12"
    assert address_key("/index.php", "page_id=3") == "/?page_id=3"
    assert address_key("/", "s=gaza") is None
    assert address_key("/", "p=javascript") is None
    assert address_key("relative") is None
    assert address_key("/label/%00/") is None and address_key("/a\x01b/") is None
    assert may_be_old_address("/", "p=12") and may_be_old_address("/2009/01/a.html", "")
    assert not may_be_old_address("/", "") and not may_be_old_address("/2009/01/a/", "")


@pytest.mark.django_db
def test_old_addresses_redirect_to_the_right_post_whatever_the_month(client):
    in_2008 = seed_post(1, headline="test", at=datetime(2008, 5, 2, tzinfo=UTC))
    in_2009 = seed_post(2, headline="test", at=datetime(2009, 1, 7, tzinfo=UTC))
    page = services.create_post(headline="About", kind=PostKind.PAGE, status=PostStatus.PUBLISHED)
    kept = services.keep_old_addresses(
        [
            (in_2008, "/2008/05/test.html"),
            (in_2009, "/2009/01/test.html"),
            (in_2009, "/?p=44"),
            (in_2009, "/2009/01/07/test/"),
            (page, "/p/about.html"),
            (page, "/about-us/team/"),
            (page, "/about/"),
            (page, "/label/syria/"),
            (page, "/2009/01/"),
        ]
    )
    assert kept.kept == 6
    assert kept.taken == ("/about/", "/label/syria/", "/2009/01/")
    expected = {
        "/2008/05/test.html": in_2008.get_absolute_url(),
        "/2009/01/test.html": in_2009.get_absolute_url(),
        "/?p=44": in_2009.get_absolute_url(),
        "/2009/01/07/test/": in_2009.get_absolute_url(),
        "/2009/01/07/test": in_2009.get_absolute_url(),
        "/p/about.html": "/p/about/",
        "/about-us/team/": "/p/about/",
    }
    for old, new in expected.items():
        response = client.get(old)
        assert (response.status_code, response.get("Location")) == (301, new), old
    # Dateline's own pages keep answering.
    assert client.get("/about/").status_code == 200
    # Kept again: nothing twice.
    assert services.keep_old_addresses([(in_2009, "/?p=44")]).kept == 1
    assert OldAddress.objects.count() == 6


@pytest.mark.django_db
def test_a_blogger_name_of_another_month_is_not_that_post(client):
    seed_post(1, headline="test", at=datetime(2008, 5, 2, tzinfo=UTC))
    assert client.get("/2009/01/test.html").status_code == 404
    assert client.get("/2008/05/test.html").status_code == 301


@pytest.mark.django_db
def test_a_cached_page_costs_no_lookup_of_old_addresses(client):
    seed_post(1)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not any("oldaddress" in query["sql"] for query in queries.captured_queries)
