"""`dateline export wxr|blogger`: every post, page, label and comment thread, the bodies
rendered as the public site renders them (`blog.rendering`), streamed to a file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from dateline.blog.models import Label, Post, PostKind, PostPart
from dateline.blog.rendering import body_html
from dateline.porting import comments_bridge
from dateline.porting.domain.records import ItemKind, Status
from dateline.porting.domain.writers import ExportItem, ExportSite, write_blogger, write_wxr

FORMATS = ("wxr", "blogger")
_BATCH = 200


def export(format_name: str, out: IO[str], *, site_url: str = "http://localhost") -> int:
    """Writes the whole blog in `format_name` to `out`; how many posts and pages."""
    site = ExportSite(
        title=settings.SITE_NAME,
        url=site_url.rstrip("/"),
        authors=tuple(
            sorted({name for name in Post.objects.values_list("byline", flat=True) if name})
        ),
        labels=tuple(Label.objects.order_by("name").values_list("name", "slug")),
    )
    writer = write_wxr if format_name == "wxr" else write_blogger
    count = 0

    def items() -> Iterator[ExportItem]:
        nonlocal count
        for item in _items(site.url):
            count += 1
            yield item

    for piece in writer(site, items(), now=timezone.now()):
        out.write(piece)
    return count


def _items(site_url: str) -> Iterator[ExportItem]:
    ids = list(Post.objects.order_by("published_at", "id").values_list("id", flat=True))
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        posts = (
            Post.objects.filter(pk__in=batch)
            .select_related("author")
            .prefetch_related(
                "labels", Prefetch("parts", queryset=PostPart.objects.order_by("position"))
            )
            .in_bulk()
        )
        comments = comments_bridge.comments_for_export(batch)
        for pk in batch:
            post = posts[pk]
            yield ExportItem(
                id=post.pk,
                kind=ItemKind.PAGE if post.kind == PostKind.PAGE else ItemKind.POST,
                status=Status(post.status),
                title=post.headline,
                slug=post.slug,
                body_html=body_html(post, list(post.parts.all())),
                link=site_url + post.get_absolute_url(),
                published_at=post.published_at,
                updated_at=post.updated_at,
                author=post.author_name,
                labels=tuple(sorted((label.name, label.slug) for label in post.labels.all())),
                sticky=post.sticky,
                comments=tuple(comments.get(pk, ())),
            )
