"""The wire's tables: outlets, their feeds, and the articles the feeds carry."""

from __future__ import annotations

from datetime import datetime

from django.db import models


class Outlet(models.Model):
    """A news organisation or blog. One outlet may publish several feeds."""

    name = models.CharField(max_length=200)
    home_url = models.URLField(max_length=2000, blank=True)
    country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code of the outlet's home country."
    )
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 language tag.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeedQuerySet(models.QuerySet["Feed"]):
    def active(self) -> FeedQuerySet:
        return self.filter(active=True)

    def due(self, now: datetime) -> FeedQuerySet:
        return self.active().filter(
            models.Q(next_poll_at__isnull=True) | models.Q(next_poll_at__lte=now)
        )


class Feed(models.Model):
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    active = models.BooleanField(default=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Set while a worker polls the feed (see dateline.core.claims).
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title or self.url


class ArticleQuerySet(models.QuerySet["Article"]):
    def recent(self) -> ArticleQuerySet:
        return self.order_by("-published_at", "-id")


class Article(models.Model):
    """One item an outlet published, as its feed described it."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="articles")
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    # The entry's stable id in its feed (guid / atom:id, else its link, else a content hash).
    guid = models.CharField(max_length=2000)
    url = models.URLField(max_length=2000, blank=True)
    title = models.TextField(blank=True)
    # Sanitised HTML (the feed-content policy of dateline.core.sanitize).
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=35, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "guid"], name="wire_article_unique_guid_per_feed"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.guid
