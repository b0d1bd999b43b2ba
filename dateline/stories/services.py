"""The stories app's public commands."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from dateline.core import claims
from dateline.stories.domain.title_overlap import same_story
from dateline.stories.models import ClusteringCursor, Story, StoryArticle
from dateline.stories.signals import story_updated
from dateline.wire.models import Article

BATCH = 200
LEASE = timedelta(minutes=5)
# Stories with no new article for this long are not matched any more.
STORY_WINDOW = timedelta(days=2)


def cluster_new_articles(now: datetime) -> int:
    """Assigns articles that arrived since the last run to stories, in arrival order."""
    cursor, _ = ClusteringCursor.objects.get_or_create(pk=1)
    if not claims.claim(ClusteringCursor.objects.filter(pk=1), now=now, lease=LEASE, limit=1):
        return 0  # another worker is clustering
    try:
        with transaction.atomic():
            cursor = ClusteringCursor.objects.select_for_update().get(pk=1)
            batch = list(
                Article.objects.filter(id__gt=cursor.last_article_id)
                .select_related("outlet")
                .order_by("id")[:BATCH]
            )
            for article in batch:
                assign(article, now=now)
            if batch:
                cursor.last_article_id = batch[-1].id
                cursor.save(update_fields=["last_article_id"])
    finally:
        claims.release(ClusteringCursor, [1])
    return len(batch)


def assign(article: Article, *, now: datetime) -> Story:
    seen_at = article.published_at or now
    candidates = Story.objects.open().filter(last_seen_at__gte=seen_at - STORY_WINDOW)
    story = next((s for s in candidates if same_story(s.headline, article.title)), None)
    if story is None:
        story = Story.objects.create(
            headline=article.title, first_seen_at=seen_at, last_seen_at=seen_at
        )
        new_outlet = True
    else:
        new_outlet = not story.articles.filter(outlet_id=article.outlet_id).exists()
        story.last_seen_at = max(story.last_seen_at, seen_at)
        story.save(update_fields=["last_seen_at"])
    StoryArticle.objects.create(story=story, article=article)
    if new_outlet and story.memberships.count() > 1:
        transaction.on_commit(lambda: story_updated.send(Story, story=story, article=article))
    return story
