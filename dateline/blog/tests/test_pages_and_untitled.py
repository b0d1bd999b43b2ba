"""Pages (outside the stream, at /p/<slug>/) and posts without a headline."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import feedparser
import pytest
from django.urls import reverse

from dateline.blog import services
from dateline.blog.domain.drafts import ProseDraft
from dateline.blog.models import PostKind, PostStatus
from dateline.blog.tests.factories import seed_post

pytestmark = pytest.mark.django_db


def _page(**overrides):
    fields = {
        "headline": "About this blog",
        "kind": PostKind.PAGE,
        "parts": [ProseDraft("<p>Written in Erbil since 2009.</p>")],
        "status": PostStatus.PUBLISHED,
        "published_at": datetime(2016, 3, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    return services.create_post(**fields)


def test_a_page_answers_at_p_slug_and_stays_out_of_the_stream(client):
    page = _page()
    post = seed_post(1)
    assert page.get_absolute_url() == "/p/about-this-blog/"
    html = client.get("/p/about-this-blog/").content.decode()
    assert "Written in Erbil" in html and "About this blog" in html
    for address in ("/", "/2016/", "/2016/03/", reverse("blog:label", args=["syria"])):
        listing = client.get(address).content.decode()
        assert post.headline in listing and "About this blog" not in listing, address
    feed = client.get(reverse("blog:feed_atom")).content.decode()
    assert "About this blog" not in feed
    # No previous/next link from the post leads to the page.
    assert "/p/about-this-blog/" not in client.get(post.get_absolute_url()).content.decode()
    # Found at a post's address shape, it is sent on to its own.
    response = client.get("/2016/03/about-this-blog/")
    assert (response.status_code, response["Location"]) == (301, "/p/about-this-blog/")


def test_a_post_is_not_served_as_a_page_and_a_draft_page_is_not_public(client):
    post = seed_post(1)
    response = client.get(f"/p/{post.slug}/")
    assert (response.status_code, response["Location"]) == (301, post.get_absolute_url())
    _page(headline="Contact", status=PostStatus.DRAFT, published_at=None)
    assert client.get("/p/contact/").status_code == 404


def test_an_untitled_post_shows_its_fallback_in_title_h1_feeds_and_json_ld(client):
    post = seed_post(1, headline="")
    assert post.headline == ""
    html = client.get(post.get_absolute_url()).content.decode()
    title = "Untitled post, 30 March 2016"
    assert re.search(r"<title>Untitled post, 30 March 2016 — ", html)
    assert f'<h1 class="post-title">{title}</h1>' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1))
    assert ld["headline"] == title
    atom = feedparser.parse(client.get(reverse("blog:feed_atom")).content)
    assert atom.entries[0].title == title
    json_feed = json.loads(client.get(reverse("blog:feed_json")).content)
    assert json_feed["items"][0]["title"] == title
    assert title in client.get("/").content.decode()
