"""The wire's tables: outlets, their feeds, and the articles the feeds carry."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, models

from dateline.wire.domain.decide import make_candidate


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

    def save_fields(self, feeds: Sequence[Feed], fields: Sequence[str]) -> None:
        """Writes `fields` of many feeds in one statement run for each (executemany).

        The poller's batched state writes: Django's bulk_update builds a CASE expression per
        field and row, which costs more than a commit per feed at a few hundred rows.
        """
        if not feeds:
            return
        connection = connections[self.db]
        quote = connection.ops.quote_name
        columns = [Feed._meta.get_field(name) for name in fields]
        assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
        sql = (
            f"UPDATE {quote(Feed._meta.db_table)} SET {assignments} "
            f"WHERE {quote(Feed._meta.pk.column)} = %s"  # type: ignore[union-attr]
        )
        rows = [
            [column.get_db_prep_save(getattr(feed, column.attname), connection)
             for column in columns] + [feed.pk]
            for feed in feeds
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


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

    # Labels from OPML categories or the editor ("World", "Middle East").
    labels = models.JSONField(default=list, blank=True)
    # Fetch each new article's page and keep its main text (for feeds that carry only summaries).
    fetch_full_text = models.BooleanField(default=False)

    # Politeness: what the server told us last time, sent back so it can answer 304.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Where they came from (the end of the redirects): they are sent to that address alone.
    # Empty on feeds polled before it was kept: the feed's own URL.
    validators_url = models.URLField(max_length=2000, blank=True)
    # Hash of the last body parsed: a server that ignores ETags but sends the same bytes is not
    # parsed again.
    body_hash = models.CharField(max_length=64, blank=True)

    # Health, for the desk: how the last polls went.
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    error_count = models.PositiveIntegerField(
        default=0, help_text="Failures in a row; the poll interval doubles with each."
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    poll_interval = models.DurationField(null=True, blank=True)
    entries_per_day = models.FloatField(null=True, blank=True)
    stopped_reason = models.CharField(
        max_length=300, blank=True, help_text="Why polling stopped (410 Gone...), if it did."
    )

    objects = FeedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.title or self.url


class FullTextStatus(models.TextChoices):
    NOT_WANTED = "not-wanted", "not wanted"
    PENDING = "pending", "waiting to be fetched"
    FETCHED = "fetched", "fetched"
    # The page could not be fetched or read: the summary stands in for it.
    FAILED = "failed", "failed, summary kept"
    ROBOTS = "robots", "refused by robots.txt, summary kept"


class ArticleQuerySet(models.QuerySet["Article"]):
    def recent(self) -> ArticleQuerySet:
        return self.order_by("-published_at", "-id")

    def served_with_guid(self, guid: str) -> ArticleQuerySet:
        """Articles some feed served under this GUID (or atom:id), as the feed wrote it."""
        key = make_candidate(guid=guid, link=None).key
        return self.filter(sightings__key=key).distinct()

    def awaiting_full_text(self) -> ArticleQuerySet:
        return self.filter(full_text_status=FullTextStatus.PENDING)

    def matching(
        self,
        feed: Feed,
        *,
        ids: Collection[int],
        canonical_urls: Collection[str],
        content_hashes: Collection[str],
    ) -> list[KnownArticle]:
        """The articles among `ids`, any feed's stored under one of `canonical_urls`, and `feed`'s
        with one of `content_hashes`; each says whether `feed` has a sighting of it.

        The poller asks this once for each changed feed, so it is one statement written here:
        the ORM spends longer building this query than the database spends answering it.
        """
        connection = connections[self.db]
        quote = connection.ops.quote_name

        def column(model: type[models.Model], name: str) -> str:
            return quote(model._meta.get_field(name).column)  # type: ignore[union-attr]

        article_id = column(Article, "id")
        seen_by_feed = (
            f"SELECT {column(Sighting, 'article')} FROM {quote(Sighting._meta.db_table)} "
            f"WHERE {column(Sighting, 'feed')} = %s"
        )
        terms: list[str] = []
        params: list[object] = [feed.pk]

        def among(name: str, values: Collection[object], *, and_seen: bool = False) -> None:
            if not values:
                return
            term = f"{column(Article, name)} IN ({', '.join(['%s'] * len(values))})"
            params.extend(values)
            if and_seen:
                term = f"({term} AND {article_id} IN ({seen_by_feed}))"
                params.append(feed.pk)
            terms.append(term)

        among("id", ids)
        among("canonical_url", canonical_urls)
        among("content_hash", content_hashes, and_seen=True)
        if not terms:
            return []
        names = ("id", "title", "content_hash", "earlier_titles", "canonical_url")
        sql = (
            f"SELECT {', '.join(column(Article, name) for name in names)}, "
            f"{article_id} IN ({seen_by_feed}) FROM {quote(Article._meta.db_table)} "
            f"WHERE {' OR '.join(terms)} ORDER BY {article_id}"
        )
        titles = Article._meta.get_field("earlier_titles")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [
                KnownArticle(
                    id=row[0],
                    title=row[1],
                    content_hash=row[2],
                    earlier_titles=tuple(titles.from_db_value(row[3], None, connection) or ()),
                    canonical_url=row[4],
                    seen_by_feed=bool(row[5]),
                )
                for row in cursor.fetchall()
            ]


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """What deciding needs of a stored article (`ArticleQuerySet.matching`)."""

    id: int
    title: str
    content_hash: str
    earlier_titles: tuple[str, ...]
    canonical_url: str | None
    seen_by_feed: bool


class Article(models.Model):
    """One item an outlet published, as its feed described it."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="articles")
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )
    # The entry's identity in the feed that first served it, as domain.decide keys it:
    # "guid:<guid or atom:id>", else "link:<canonical link>", else "hash:<content hash>".
    guid = models.CharField(max_length=2000)
    url = models.URLField(max_length=2000, blank=True)
    title = models.TextField(blank=True)
    # Sanitised HTML (the feed-content policy of dateline.core.sanitize).
    summary = models.TextField(blank=True)
    language = models.CharField(max_length=35, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    # The cross-feed dedupe key (dateline.core.urls.canonical_url of `url`); empty when the entry
    # has no usable link. One article per key: a second feed carrying it adds a Sighting.
    # NULL, not "", means "no key", so the unique constraint below leaves such articles alone.
    canonical_url = models.CharField(max_length=1000, null=True, blank=True)  # noqa: DJ001
    # Sanitised HTML of the entry's full content when the feed carries one (beside the summary).
    content = models.TextField(blank=True)
    # Hash of title, link, summary and content: tells an updated entry from an unchanged one.
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    # Titles the entry had before an update, oldest first ("Five dead" before "Twelve dead").
    earlier_titles = models.JSONField(default=list, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    # The page's main text, fetched for feeds that ask for it (sanitised HTML).
    full_text = models.TextField(blank=True)
    full_text_status = models.CharField(
        max_length=16, choices=FullTextStatus.choices, default=FullTextStatus.NOT_WANTED
    )
    # Why the full text is missing when it was wanted ("HTTP 404", "no main text found").
    full_text_note = models.CharField(max_length=300, blank=True)
    # Set while a worker fetches the article's page (see dateline.core.claims).
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "guid"], name="wire_article_unique_guid_per_feed"
            ),
            models.UniqueConstraint(
                fields=["canonical_url"],
                condition=models.Q(canonical_url__isnull=False),
                name="wire_article_unique_canonical_url",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.guid

    @property
    def body(self) -> str:
        """The fullest text there is: the page's main text, else the feed's content or summary."""
        if self.full_text_status == FullTextStatus.FETCHED and self.full_text:
            return self.full_text
        return self.content or self.summary


class SightingQuerySet(models.QuerySet["Sighting"]):
    def keys_of(self, feed: Feed, keys: Collection[str]) -> dict[str, int]:
        """`feed`'s sightings of `keys`: entry key -> article id (one statement, as `matching`)."""
        if not keys:
            return {}
        connection = connections[self.db]
        quote = connection.ops.quote_name
        field = Sighting._meta.get_field
        sql = (
            f"SELECT {quote(field('key').column)}, {quote(field('article').column)} "
            f"FROM {quote(Sighting._meta.db_table)} WHERE {quote(field('feed').column)} = %s "
            f"AND {quote(field('key').column)} IN ({', '.join(['%s'] * len(keys))})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [feed.pk, *keys])
            return dict(cursor.fetchall())

    def add_many(self, feed: Feed, seen_at: datetime, sightings: Sequence[tuple[int, str]]) -> None:
        """Inserts `feed`'s sightings of (article id, entry key) in one statement run for each.

        The poller stores thousands a cycle: bulk_create builds a model and adapts four fields
        per row, where every row here shares its feed and time and differs in two plain values.
        """
        if not sightings:
            return
        connection = connections[self.db]
        quote = connection.ops.quote_name
        field = Sighting._meta.get_field
        columns = ", ".join(
            quote(field(name).column) for name in ("feed", "first_seen_at", "article", "key")
        )
        seen = field("first_seen_at").get_db_prep_save(seen_at, connection)
        sql = f"INSERT INTO {quote(Sighting._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s)"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(feed.pk, seen, article, key) for article, key in sightings])


class Sighting(models.Model):
    """A feed served an entry that is (or duplicates) this article.

    One row per entry key under which a feed first served the article, so an article carried by
    two feeds is stored once and seen by both. An entry whose GUID changed is matched to it by
    link or content, as long as the article is kept, and adds no row.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sightings")
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="sightings")
    # The entry's identity in the feed: "guid:...", "link:..." or "hash:..." (see domain.decide).
    key = models.CharField(max_length=600)
    first_seen_at = models.DateTimeField()

    objects = SightingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "key"], name="wire_sighting_unique_key_per_feed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} in feed {self.feed_id}"
