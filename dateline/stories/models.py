"""Stories: groups of articles from several outlets about one event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, Least

from dateline.stories.domain import ranking
from dateline.wire.models import Article


def _earliest_first(article: str = "") -> tuple[Any, ...]:
    """Articles (reached through ``article``) in the order the coverage counts them: the time
    each counts as published (``article_records.seen_at``: its date, never after it reached the
    wire), then arrival. Undated ones sort by arrival time on every database."""
    fetched = f"{article}fetched_at"
    return Least(Coalesce(f"{article}published_at", fetched), fetched), f"{article}id"


class StoryQuerySet(models.QuerySet["Story"]):
    def open(self) -> StoryQuerySet:
        return self.filter(closed=False)

    def ranked(self) -> StoryQuerySet:
        """Highest score first (dateline.stories.domain.ranking): the order holds at any time."""
        return self.order_by("-rank_key", "-id")

    def largest(self) -> StoryQuerySet:
        return self.order_by("-article_count", "-outlet_count", "first_seen_at", "id")

    def with_articles(self) -> StoryQuerySet:
        """Each story's articles, earliest first, with their outlets: two queries in all.

        Earliest as the coverage counts it (dateline.stories.article_records.seen_at), then by
        arrival, the same on every database.
        """
        return self.select_related("first_article__outlet").prefetch_related(
            models.Prefetch(
                "articles",
                queryset=Article.objects.select_related("outlet").order_by(*_earliest_first()),
            )
        )

    def for_desk(self, articles_each: int) -> StoryQuerySet:
        """The open stories the desk triages, best first, each with its first ``articles_each``
        memberships (earliest first, article and outlet loaded) as ``shown_memberships``: a
        story covered by hundreds of articles costs no more than one covered by ten."""
        memberships = StoryArticle.objects.select_related("article__outlet").order_by(
            *_earliest_first("article__")
        )
        return (
            self.open()
            .ranked()
            .select_related("first_article__outlet")
            .prefetch_related(
                models.Prefetch(
                    "memberships",
                    queryset=memberships[:articles_each],
                    to_attr="shown_memberships",
                )
            )
        )


class Story(models.Model):
    headline = models.TextField(help_text="The headline of the story's first reporter.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    closed = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    articles = models.ManyToManyField(Article, through="StoryArticle", related_name="stories")

    # The clusterer's own id for the story (dateline.stories.domain.records), so a worker that
    # starts afresh hands the open stories back to it under the same ids. Unique among open
    # stories only: a restored clusterer may give a closed story's number to a new one. Empty for a
    # story an editor opened (moving an article out) until a worker tells the clusterer.
    cluster_id = models.BigIntegerField(null=True, blank=True)
    # Set when an editor merged this story into another; it is then closed and empty.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="absorbed"
    )

    # Coverage, recomputed in the transaction that changes the story's articles.
    first_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The first reporter: the story's earliest article.",
    )
    article_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)
    country_count = models.PositiveIntegerField(default=0)
    language_count = models.PositiveIntegerField(default=0)
    # ISO 3166-1 codes of the outlets' countries and primary language subtags, sorted.
    countries = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    # Articles in the ranking's velocity window up to the latest one.
    recent_article_count = models.PositiveIntegerField(default=0)
    # Sorts like the desk's score at any moment (dateline.stories.domain.ranking.rank_key).
    rank_key = models.FloatField(default=0.0)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name_plural = "stories"
        constraints = [
            models.UniqueConstraint(
                fields=["cluster_id"],
                condition=models.Q(closed=False, cluster_id__isnull=False),
                name="stories_story_unique_open_cluster_id",
            )
        ]
        indexes = [models.Index(fields=["closed", "-rank_key"], name="stories_story_desk_rank")]

    def __str__(self) -> str:
        return self.headline

    def score(self, now: datetime) -> float:
        return ranking.score_from_rank_key(self.rank_key, now)


class StoryArticle(models.Model):
    """An article's place in a story. An article belongs to at most one story."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="memberships")
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="membership")
    joined_at = models.DateTimeField(auto_now_add=True)
    # How strongly the clusterer matched it (0.0 when it opened the story or an editor put it
    # there).
    score = models.FloatField(default=0.0)
    # Why it is here (dateline.stories.domain.records.AssignmentReason.as_json); {} for
    # memberships made before reasons were kept.
    reason = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"article {self.article_id} in story {self.story_id}"


class ClusteringCursor(models.Model):
    """How far the clusterer has read the wire, in arrival (id) order.

    A single row. The clustering job claims it (see dateline.core.claims) so exactly one worker
    clusters at a time, and moves it forward in the same transaction that records assignments, so
    a killed worker neither loses nor repeats an article. Editors' corrections lock it too, so a
    batch computed before a correction is never written after it.
    """

    last_article_id = models.BigIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Drawn when the row is made: a worker whose memory came from another database (restored from
    # a backup, or a test's) sees a different one and rebuilds.
    epoch = models.UUIDField(default=uuid.uuid4, editable=False)

    def __str__(self) -> str:
        return f"clustered up to article {self.last_article_id}"


class CorrectionKind(models.TextChoices):
    MERGE = "merge", "merged two stories"
    MOVE_OUT = "move-out", "moved an article out into a story of its own"
    UNMERGE = "unmerge", "undid an automatic merge"


class StoryCorrection(models.Model):
    """A correction of the clusterer, in the order they were made: an editor's, or a merge by the
    worker's periodic pass (``automatic``, no editor), which an editor may undo.

    Workers apply the ones made since they last looked to their in-memory clusterer (by id order),
    and the labelled pairs editors' corrections produced are kept for retraining (an automatic
    merge labels none: it is the clusterer's own guess, not a person's word).
    """

    kind = models.CharField(max_length=16, choices=CorrectionKind.choices)
    # MERGE: the story kept; MOVE_OUT: the story the article left.
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="corrections")
    # MERGE: the story absorbed; MOVE_OUT: the new story holding the article.
    other_story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    # MOVE_OUT only: the article moved.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    made_at = models.DateTimeField()
    # MERGE made by the periodic pass (editor is then empty).
    automatic = models.BooleanField(default=False)
    # MERGE: the absorbed story's articles (ids), so that the merge can be undone.
    moved_articles = models.JSONField(default=list, blank=True)
    # When an editor undid this (automatic) merge; empty while it stands.
    undone_at = models.DateTimeField(null=True, blank=True)
    # Why the clusterer had placed the articles the correction moved, by article id, as they were
    # when it was made (AssignmentReason.as_json): export-pairs hands them on with the pairs.
    context = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: story {self.story_id} / {self.other_story_id}"


class LabelledPair(models.Model):
    """Two articles an editor said are (or are not) about the same story: training data.

    One row per unordered pair (``article_a`` has the lower id); the latest correction wins.
    """

    article_a = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    article_b = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    same_story = models.BooleanField()
    correction = models.ForeignKey(
        StoryCorrection, on_delete=models.CASCADE, related_name="labelled_pairs"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article_a", "article_b"], name="stories_labelledpair_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(article_a__lt=models.F("article_b")),
                name="stories_labelledpair_ordered",
            ),
        ]

    def __str__(self) -> str:
        verdict = "same" if self.same_story else "different"
        return f"articles {self.article_a_id}, {self.article_b_id}: {verdict}"


class ArticleEmbedding(models.Model):
    """An article's sentence embedding, kept so a restarted worker need not encode again.

    Written with the batch that assigns the article, read when a worker rebuilds its clusterer
    from the open stories (decision 0025). Deleted with its article.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    # float32, little-endian, one after another (dateline.stories.embedding_store).
    vector = models.BinaryField()
    # Names the weights that computed it: a vector from other weights is computed again.
    encoder = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"embedding of article {self.article_id} ({self.encoder})"
