"""Every public page costs a fixed number of queries, whatever the number of posts, parts or
labels. Measured on uncached renders (the cache is emptied before each request)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.blog import services
from dateline.blog.domain.drafts import CommentaryDraft, ProseDraft
from dateline.blog.tests.factories import citation, seed_post

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    caches["default"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def grow(n_posts: int, parts_each: int, labels_each: int, start: int = 0) -> None:
    for n in range(start, start + n_posts):
        parts = [citation(n)] + [
            CommentaryDraft(text=f"<p>Thought {k}</p>", speaker="Ed") for k in range(parts_each)
        ]
        post = seed_post(
            n, parts=parts, labels=(*[f"Label {k}" for k in range(labels_each)], "All")
        )
        services.append_update(post, text="An update.", citation=citation(n + 1000))


PAGES = [
    "/",
    "/page/2/",
    "/label/all/",
    "/2016/",
    "/2016/03/",
    "/2016/03/30/",
    "/feeds/atom.xml",
    "/feeds/rss.xml",
    "/feeds/feed.json",
    "/label/all/atom.xml",
    "/label/all/feed.json",
    "/search/?q=joint",
    "/sitemap.xml",
    "/about/",
    "/robots.txt",
]


@pytest.mark.parametrize("url", PAGES)
def test_list_pages_query_count_does_not_grow(client, url):
    grow(22, parts_each=1, labels_each=1)
    small = queries_for(client, url)
    grow(30, parts_each=6, labels_each=5, start=100)
    assert queries_for(client, url) == small


def test_post_page_query_count_does_not_grow_and_is_small(client):
    short = seed_post(1, parts=[ProseDraft("<p>one</p>")], labels=("A",))
    seed_post(2)
    long = seed_post(
        3,
        parts=[citation(k) for k in range(15)],
        labels=tuple(f"Label {k}" for k in range(8)),
    )
    for k in range(10):
        services.append_update(long, text=f"Update {k}")
    seed_post(4)
    counts = {queries_for(client, post.get_absolute_url()) for post in (short, long)}
    assert len(counts) == 1
    # generations (an empty cache: the page's copies are gone too), post, parts, labels,
    # previous+next (one query); +2: the comments section (its comments, the post's mode)
    assert counts.pop() <= 7
