"""Stories: groups of articles from several outlets about one event."""

from __future__ import annotations

from django.db import models

from dateline.wire.models import Article


class StoryQuerySet(models.QuerySet["Story"]):
    def open(self) -> StoryQuerySet:
        return self.filter(closed=False)

    def with_articles(self) -> StoryQuerySet:
        return self.prefetch_related("articles__outlet")


class Story(models.Model):
    headline = models.TextField(help_text="The headline of the story's first article.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    closed = models.BooleanField(default=False)
    articles = models.ManyToManyField(Article, through="StoryArticle", related_name="stories")

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.headline


class StoryArticle(models.Model):
    """An article's place in a story. An article belongs to at most one story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="memberships")
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="membership")
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"article {self.article_id} in story {self.story_id}"


class ClusteringCursor(models.Model):
    """How far the clusterer has read the wire, in arrival (id) order.

    A single row. The clustering job claims it (see dateline.core.claims) so exactly one worker
    clusters at a time, and moves it forward in the same transaction that records assignments, so
    a killed worker neither loses nor repeats an article.
    """

    last_article_id = models.BigIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"clustered up to article {self.last_article_id}"
