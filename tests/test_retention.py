"""Retention: the worker prunes old articles that no post cites and no open story needs.

Across apps on purpose: the wire prunes, the blog and stories say what they keep (through the
keeper registry the wire declares)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from dateline.blog.models import PartKind, Post, PostPart
from dateline.stories.models import Story, StoryArticle
from dateline.wire import retention, services
from dateline.wire.models import Article, Sighting

pytestmark = pytest.mark.django_db

OLD = timedelta(days=200)


def article(name: str, *, age: timedelta = OLD) -> Article:
    feed = services.add_feed(url=f"https://news.example/{name}.xml", outlet_name="Outlet")
    row = Article.objects.create(outlet=feed.outlet, feed=feed, guid=name, title=name)
    Sighting.objects.create(
        article=row, feed=feed, key=f"guid:{name}", first_seen_at=timezone.now()
    )
    Article.objects.filter(pk=row.pk).update(fetched_at=timezone.now() - age)
    return row


def in_story(row: Article, *, closed: bool) -> None:
    now = timezone.now()
    story = Story.objects.create(headline=row.title, first_seen_at=now, last_seen_at=now,
                                 closed=closed)  # fmt: skip
    StoryArticle.objects.create(story=story, article=row)


def cited(row: Article) -> None:
    post = Post.objects.create(headline=f"On {row.title}", slug=f"on-{row.guid}")
    url = f"https://news.example/{row.guid}"
    PostPart.objects.create(
        post=post, position=0, kind=PartKind.CITATION, article=row, url=url, outlet_name="Outlet"
    )


def surviving() -> set[str]:
    return set(Article.objects.values_list("guid", flat=True))


def test_blog_and_stories_register_their_keepers():
    assert {"blog.citations", "stories.open"} <= set(retention.keepers())


@override_settings(ARTICLE_RETENTION_DAYS=180)
def test_old_unneeded_articles_go_and_the_rest_stay():
    article("old-nobody")
    article("recent", age=timedelta(days=10))
    cited(article("old-cited"))
    in_story(article("old-open-story"), closed=False)
    in_story(article("old-closed-story"), closed=True)
    assert retention.prune(timezone.now()) == 2
    assert surviving() == {"recent", "old-cited", "old-open-story"}
    # Their sightings went with them; nothing else was touched.
    assert Sighting.objects.count() == 3
    assert PostPart.objects.get().article is not None
    assert retention.prune(timezone.now()) == 0


@override_settings(ARTICLE_RETENTION_DAYS=0)
def test_zero_keeps_everything():
    article("ancient", age=timedelta(days=5000))
    assert retention.prune(timezone.now()) == 0
    assert surviving() == {"ancient"}


@override_settings(ARTICLE_RETENTION_DAYS=180)
def test_the_job_works_through_a_backlog_in_batches_then_waits():
    for n in range(5):
        article(f"old-{n}")
    job = retention.PruneJob(every=timedelta(hours=1))
    now = timezone.now()
    assert retention.prune(now, batch=2) == 2  # a batch at a time
    assert job(now) == 3  # then the job takes the rest
    article("old-late")
    assert job(now + timedelta(minutes=5)) == 0  # nothing left last time: it waits an hour
    assert job(now + timedelta(hours=2)) == 1
