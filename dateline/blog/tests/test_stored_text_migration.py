"""Migration 0006: posts stored before the services dropped what XML forbids are cleaned."""

from __future__ import annotations

import feedparser
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dateline.blog.models import Label, Post, PostPart
from dateline.blog.tests.factories import seed_post

BEFORE = [("blog", "0005_post_sequence_index")]


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_stored_posts_with_characters_xml_forbids_are_cleaned_and_feeds_answer(client):
    post = seed_post(1, labels=("Gaza", "Gaza again"))
    # Written around the services, as rows stored before they dropped these characters were.
    Post.objects.filter(pk=post.pk).update(headline="Bell\x07 here", byline="Desk\x02")
    Label.objects.filter(name="Gaza again").update(name="Gaza\x01")
    citation = post.parts.get(position=0)
    PostPart.objects.filter(pk=citation.pk).update(
        url="https://news.example.org/a\x01b", quoted_excerpt="<p>Quote\x0bhere</p>"
    )
    # Such a row made every XML feed a 500 until the feeds learnt to drop the characters, and
    # still puts them in the post's page, where HTML forbids them.
    assert "\x07" in client.get(post.get_absolute_url()).content.decode()
    # Back to before the migration and forward again to today's schema (the rows are kept; the
    # models used here are today's, so the test reads and writes only at today's schema).
    _migrate(BEFORE)
    _migrate(_latest())
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
