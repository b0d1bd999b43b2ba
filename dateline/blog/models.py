"""The blog's tables: posts, their ordered parts, labels, and what keeps old URLs working.

See docs/post-model.md for the model as a whole and docs/decisions/0040-post-parts-table.md for
why the parts live in one table.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connections, models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from dateline.stories.models import Story
from dateline.wire.models import Article


class Label(models.Model):
    """A topic a post is filed under ("Syria", "Elections"). Each has a page and feeds."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:label", kwargs={"slug": self.slug})


class PostStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_REVIEW = "pending_review", "Pending review"
    # Published by the worker's blog.publish job once published_at has come.
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    # Published but only for signed-in staff; never listed, fed or indexed.
    PRIVATE = "private", "Private"


class PostKind(models.TextChoices):
    POST = "post", "Post"
    # Outside the stream (an "About" or "Contact" page of an imported blog): never listed, fed
    # or archived; its address is /p/<slug>/.
    PAGE = "page", "Page"


class PostQuerySet(models.QuerySet["Post"]):
    def visible(self) -> PostQuerySet:
        """Posts and pages the public may see: published and their time has come."""
        return self.filter(status=PostStatus.PUBLISHED, published_at__lte=timezone.now())

    def published(self) -> PostQuerySet:
        """The stream: published posts (not pages) whose time has come."""
        return self.visible().filter(kind=PostKind.POST)

    def due_for_publication(self, now: datetime) -> PostQuerySet:
        return self.filter(status=PostStatus.SCHEDULED, published_at__lte=now)

    def newest_first(self) -> PostQuerySet:
        return self.order_by("-published_at", "-id")

    def for_listing(self) -> PostQuerySet:
        """Everything a list page shows, in a fixed number of queries whatever the size."""
        return self.select_related("featured_image").prefetch_related(
            "labels",
            models.Prefetch("parts", queryset=PostPart.objects.order_by("position")),
        )

    def only_link(self) -> PostQuerySet:
        """Just enough of each post to link to it."""
        return self.only("id", "kind", "headline", "slug", "published_at")

    def with_last_change(self) -> PostQuerySet:
        return self.annotate(last_change=Coalesce("updated_at", "published_at"))


# The posts published just before and just after one, in one statement of two index seeks. Written
# as SQL because the ORM cannot say "the nearest row on each side" in one query, and compiling
# two ORM queries cost more than running them (a fifth of an uncached post page's server time).
# Each side's range is bounded by plain comparisons the index can seek on (for the earlier side
# one upper bound, the lower of the post's time and now: SQLite seeks on only one); within it,
# "earlier, or the same time and a lower id" is "published_at < t OR id < n" (ties on time are
# broken by id, as on list pages).
_NEIGHBOURS_SQL = """
SELECT * FROM (
    SELECT id, kind, headline, slug, published_at, 'previous' AS side FROM {table}
    WHERE status = %s AND kind = %s AND published_at <= %s AND (published_at < %s OR id < %s)
    ORDER BY published_at DESC, id DESC LIMIT 1
) AS previous_post
UNION ALL
SELECT * FROM (
    SELECT id, kind, headline, slug, published_at, 'next' AS side FROM {table}
    WHERE status = %s AND kind = %s AND published_at <= %s AND published_at >= %s
      AND (published_at > %s OR id > %s)
    ORDER BY published_at, id LIMIT 1
) AS next_post
"""


def published_neighbours(post: Post) -> tuple[Post | None, Post | None]:
    """The public posts just before and just after `post` in publication order (its previous
    and next links), with only the fields a link needs; None where there is none."""
    if post.published_at is None or post.kind != PostKind.POST:
        return None, None
    # Raw parameters skip the ORM's adaptation: times must be written as the backend stores them.
    moment = connections[Post.objects.db].ops.adapt_datetimefield_value
    now, at = timezone.now(), post.published_at
    status, earliest = PostStatus.PUBLISHED.value, moment(min(now, at))
    now, at = moment(now), moment(at)
    sql = _NEIGHBOURS_SQL.format(table=Post._meta.db_table)
    kind = PostKind.POST.value
    parameters = [status, kind, earliest, at, post.pk, status, kind, now, at, at, post.pk]
    found = {row.side: row for row in Post.objects.raw(sql, parameters)}
    return found.get("previous"), found.get("next")


# What a post without a headline is called on pages and in feeds (see Post.title).
UNTITLED = "Untitled post"


class Post(models.Model):
    # May be empty (an imported post without a title); pages show `title`. The desk's form
    # still asks an editor for one.
    headline = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=PostKind.choices, default=PostKind.POST)
    # Unique site-wide: the URL /YYYY/MM/slug/ is found by slug alone, and a post whose date
    # changes keeps working (the view redirects to the canonical year and month).
    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    # The name shown on the post. Imported posts have a byline and no user.
    byline = models.CharField(max_length=200, blank=True)
    # "RAQQA, Syria" - shown in small capitals before the first paragraph, followed by " —".
    dateline_place = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT, db_index=True
    )
    sticky = models.BooleanField(default=False, help_text="Shown first on the home page.")
    # Set when published (or the time it is scheduled for). Always UTC in the database.
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the public content last changed after publication (an update, an edit).
    updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    featured_image = models.ForeignKey(
        "Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The story this post covers, set by the desk; how Dateline knows to suggest updates.
    story = models.ForeignKey(
        Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="posts")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # Every public list filters on status and published_at and the home page on sticky too:
        # with sticky in the index, counting the pages of 10,000 posts reads the index alone.
        # Both start with status and kind, the equalities every public query of the stream
        # has (pages are left out of it).
        indexes = [
            models.Index(
                fields=["status", "kind", "-published_at", "sticky"], name="blog_post_public"
            ),
            # A post page's previous and next links (published_neighbours): one seek each side,
            # already in (published_at, id) order, whatever the number of posts.
            models.Index(
                fields=["status", "kind", "published_at", "id"], name="blog_post_sequence"
            ),
            # The home page's pinned posts: a few rows, found without reading the other 10,000
            # (SQLite otherwise walks the sequence index to avoid a sort).
            models.Index(
                fields=["status", "kind", "-published_at", "-id"],
                condition=models.Q(sticky=True),
                name="blog_post_pinned",
            ),
        ]
        # Who may read a draft, scheduled or private post at its own address (the desk's
        # preview): superusers, and the `editor` group (granted by migration 0010).
        permissions = [
            ("view_unpublished", "Can see drafts, scheduled and private posts at their address")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.kind == PostKind.PAGE:
            return reverse("blog:page", kwargs={"slug": self.slug})
        local = timezone.localtime(self.published_at or timezone.now())
        return reverse(
            "blog:post",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "slug": self.slug},
        )

    @property
    def title(self) -> str:
        """The headline, or for a post without one (imports keep an empty headline as written:
        WordPress allows it) what `<title>`, `<h1>`, feeds and JSON-LD show instead."""
        if self.headline:
            return self.headline
        if self.published_at is None:
            return UNTITLED
        return f"{UNTITLED}, {timezone.localtime(self.published_at):%-d %B %Y}"

    @property
    def is_public(self) -> bool:
        return (
            self.status == PostStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def last_modified(self) -> datetime | None:
        return self.updated_at or self.published_at

    @property
    def author_name(self) -> str:
        if self.byline:
            return self.byline
        if self.author is not None:
            return self.author.get_full_name() or self.author.get_username()
        return ""


class PartKind(models.TextChoices):
    CITATION = "citation", "Citation"
    COMMENTARY = "commentary", "Commentary"
    UPDATE = "update", "Update"
    PROSE = "prose", "Prose"
    RAW_HTML = "raw_html", "Raw HTML"


class PostPart(models.Model):
    """One part of a post's ordered body. Which columns are used depends on `kind`:

    - citation:   outlet_name, source_headline, url, quoted_excerpt, retrieved_at, article
    - commentary: speaker, body
    - update:     at, body, and optionally the citation columns (the source of the update)
    - prose, raw_html: body

    `body` and `quoted_excerpt` hold HTML already sanitised with the post-body policy.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=PartKind.choices)
    body = models.TextField(blank=True)
    speaker = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(null=True, blank=True)
    outlet_name = models.CharField(max_length=200, blank=True)
    source_headline = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    quoted_excerpt = models.TextField(blank=True)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="citations"
    )

    class Meta:
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="blog_part_unique_position"),
            models.CheckConstraint(
                condition=~models.Q(kind="citation") | ~models.Q(url=""),
                name="blog_part_citation_has_url",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="update") | models.Q(at__isnull=False),
                name="blog_part_update_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position} of post {self.post_id}"

    @property
    def has_citation(self) -> bool:
        return bool(self.url)


class Revision(models.Model):
    """One save of a post: who, when, and the post as it then was, its parts as data.

    `content` holds `dateline.blog.domain.revisions.RevisionContent.to_data()`: the place,
    status, publication time, label names and the ordered parts. Written by the services in the
    transaction of the save; a restore writes a new revision (see docs/decisions/0085).
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    # 1, 2, 3... within the post: what an editor's form was loaded from, and what a stale form
    # is told it missed.
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    headline = models.CharField(max_length=500)
    content = models.JSONField(default=dict)
    # Why it was written when not by a plain save: "restored revision 3", "imported".
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["post", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="blog_revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of post {self.post_id}"

    @property
    def author_name(self) -> str:
        if self.author is None:
            return ""
        return self.author.get_full_name() or self.author.get_username()


class SlugRedirect(models.Model):
    """A slug a post used to have: its old URL answers 301 to the current one."""

    old_slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self) -> str:
        return f"{self.old_slug} -> post {self.post_id}"


class OldAddress(models.Model):
    """An address a post or page had on the blog it was imported from (Blogger, WordPress):
    it answers 301 to the post's address here. `key` is `domain.old_addresses.address_key`."""

    key = models.CharField(max_length=1000, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_addresses")

    def __str__(self) -> str:
        return f"{self.key} -> post {self.post_id}"


class Image(models.Model):
    """An uploaded picture, stored through Django's storage API (local media by default).

    `card` is a smaller copy sized for post cards and social previews, made at upload.
    """

    original = models.ImageField(
        upload_to="images/%Y/%m/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    card = models.ImageField(
        upload_to="images/cards/%Y/%m/",
        blank=True,
        width_field="card_width",
        height_field="card_height",
    )
    card_width = models.PositiveIntegerField(default=0)
    card_height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(max_length=500, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.alt_text or self.original.name


class PageGeneration(models.Model):
    """A number bumped whenever what some cached pages show changes.

    `site` covers every page, `listings` the pages that list posts (home, labels, archives,
    feeds, sitemap), `post:<slug>` one post's page. A cached page records the numbers it was
    rendered under and is served only while they are current, in every process on every
    machine (see docs/decisions/0066-shared-page-cache-and-fast-path.md). This table is the
    truth; the shared cache holds a copy for the fast path.
    """

    name = models.CharField(max_length=300, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"generation {self.name} {self.value}"


class SearchDocument(models.Model):
    """A post's searchable text, kept in step by the services.

    The full-text index over it is the database's own: an FTS5 table on SQLite, a GIN index on
    a tsvector expression on PostgreSQL (migration 0002); `dateline.blog.search` queries both.
    """

    post = models.OneToOneField(
        Post, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    headline = models.TextField()
    body_text = models.TextField()

    def __str__(self) -> str:
        return f"search text of post {self.post_id}"


# A post page's post, parts and labels, by plain SQL: for one post, compiling the ORM queries cost
# three times what running them does (measured at 10,000 posts), and these run on every
# uncached post page. List pages, which load many posts, keep the ORM's prefetching.
_POST_SQL = "SELECT * FROM {posts} WHERE slug = %s"
_PUBLIC_SQL = " AND status = %s AND published_at <= %s"
_PARTS_SQL = "SELECT * FROM {parts} WHERE post_id = %s ORDER BY position"
_LABELS_SQL = """
SELECT label.id, label.name, label.slug FROM {labels} AS label
JOIN {links} AS link ON link.label_id = label.id
WHERE link.post_id = %s ORDER BY label.name
"""


def post_by_slug(slug: str, *, public_only: bool = True) -> Post | None:
    """The post with `slug`; only if the public may see it unless `public_only` is false.

    Its picture and author account are not joined in: most posts have neither (no query is
    made then); one that has them costs a primary-key query for each when it is shown."""
    sql = _POST_SQL.format(posts=Post._meta.db_table)
    parameters: list[object] = [slug]
    if public_only:
        sql += _PUBLIC_SQL
        moment = connections[Post.objects.db].ops.adapt_datetimefield_value
        parameters += [PostStatus.PUBLISHED.value, moment(timezone.now())]
    return next(iter(Post.objects.raw(sql, parameters)), None)


def parts_of(post: Post) -> list[PostPart]:
    """`post`'s parts in their order."""
    return list(PostPart.objects.raw(_PARTS_SQL.format(parts=PostPart._meta.db_table), [post.pk]))


def labels_of(post: Post) -> list[Label]:
    """`post`'s labels by name."""
    sql = _LABELS_SQL.format(labels=Label._meta.db_table, links=Post.labels.through._meta.db_table)
    return list(Label.objects.raw(sql, [post.pk]))


class PublicListing:
    """Published posts, newest first, for a list page's Paginator: counted and sliced by plain
    SQL (decision 0048's reason: compiling the ORM's queries cost more than running them).

    `sticky` keeps only pinned (True) or unpinned (False) posts, `label_id` one label's,
    `start`/`end` a time range (end excluded). Posts come without parts, labels or picture:
    `blog.cards.attach_cards` loads them only for cards it has to render.
    """

    def __init__(
        self,
        *,
        sticky: bool | None = None,
        label_id: int | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        moment = connections[Post.objects.db].ops.adapt_datetimefield_value
        posts, links = Post._meta.db_table, Post.labels.through._meta.db_table
        # Pages (About, ...) are not in the stream of posts.
        joins = ""
        conditions = ["post.status = %s", "post.kind = %s", "post.published_at <= %s"]
        parameters: list[object] = [
            PostStatus.PUBLISHED.value,
            PostKind.POST.value,
            moment(timezone.now()),
        ]
        if label_id is not None:
            joins = f" JOIN {links} AS link ON link.post_id = post.id AND link.label_id = %s"
            parameters.insert(0, label_id)
        if sticky is not None:
            # Written bare, as the pinned posts' partial index says it: SQLite uses that index
            # only for a condition it can match to the index's own.
            conditions.append("post.sticky" if sticky else "NOT post.sticky")
        if start is not None:
            conditions.append("post.published_at >= %s")
            parameters.append(moment(start))
        if end is not None:
            conditions.append("post.published_at < %s")
            parameters.append(moment(end))
        self._from = f"FROM {posts} AS post{joins} WHERE {' AND '.join(conditions)}"
        self._parameters = parameters
        self._count: int | None = None
        # What this listing is, whatever the time it is asked at.
        self.identity = repr((label_id, sticky, start, end))

    def know_count(self, count: int) -> None:
        """Takes the number of posts from elsewhere (a cache) instead of counting them."""
        self._count = count

    def count(self) -> int:
        if self._count is None:
            with connections[Post.objects.db].cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) {self._from}", self._parameters)
                self._count = int(cursor.fetchone()[0])
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Post]:
        start = window.start or 0
        stop = self.count() if window.stop is None else window.stop
        if stop <= start:
            return []
        sql = (
            f"SELECT post.* {self._from} "
            "ORDER BY post.published_at DESC, post.id DESC LIMIT %s OFFSET %s"
        )
        return list(Post.objects.raw(sql, [*self._parameters, stop - start, start]))

    def all(self) -> list[Post]:
        return self[0 : self.count()]
