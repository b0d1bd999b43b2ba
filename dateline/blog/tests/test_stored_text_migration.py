"""Migration 0006: posts stored before the services dropped what XML forbids are cleaned."""

from __future__ import annotations

import feedparser
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dateline.blog.models import Label, Post, PostPart
from dateline.blog.tests.factories import seed_post

BEFORE = [("blog", "0005_post_sequence_index")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    """To `targets`, or with none to the latest migrations (the code's own schema)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_stored_posts_with_characters_xml_forbids_are_cleaned_and_feeds_answer(client):
    # Written by today's services (they need today's tables), then taken back to before 0006.
    post = seed_post(1, labels=("Gaza", "Gaza again"))
    _migrate(BEFORE)
    # Written around the services, as rows stored before they dropped these characters were.
    Post.objects.filter(pk=post.pk).update(headline="Bell\x07 here", byline="Desk\x02")
    Label.objects.filter(name="Gaza again").update(name="Gaza\x01")
    citation = post.parts.get(position=0)
    PostPart.objects.filter(pk=citation.pk).update(
        url="https://news.example.org/a\x01b", quoted_excerpt="<p>Quote\x0bhere</p>"
    )
    # Such a row made every XML feed a 500 until the feeds learnt to drop the characters, and
    # put them in the post's page, where HTML forbids them.
    assert Post.objects.filter(pk=post.pk, headline__contains="\x07").exists()
    _migrate()
    post.refresh_from_db()
    citation.refresh_from_db()
    assert (post.headline, post.byline) == ("Bell here", "Desk")
    assert (citation.url, citation.quoted_excerpt) == (
        "https://news.example.org/a%01b",
        "<p>Quote here</p>",
    )
    # The label whose clean name another label had joins that one.
    assert list(post.labels.values_list("name", flat=True)) == ["Gaza"]
    assert Label.objects.count() == 1
    for path in ("/feeds/atom.xml", "/feeds/rss.xml"):
        parsed = feedparser.parse(client.get(path).content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == "Bell here"
