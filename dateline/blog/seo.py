"""What the pages tell machines: feed links, canonical URLs, OpenGraph/Twitter tags, JSON-LD,
sitemap entries. Plain data for the templates; no HTML here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from dateline.blog.domain.text import shorten
from dateline.blog.models import Label, PartKind, Post, PostPart
from dateline.core.markup_text import markup_text

DESCRIPTION_LENGTH = 200


@dataclass(frozen=True, slots=True)
class FeedLink:
    title: str
    href: str
    media_type: str


def site_feeds() -> tuple[FeedLink, ...]:
    name = settings.SITE_NAME
    return (
        FeedLink(f"{name} (Atom)", reverse("blog:feed_atom"), "application/atom+xml"),
        FeedLink(f"{name} (RSS)", reverse("blog:feed_rss"), "application/rss+xml"),
        FeedLink(f"{name} (JSON Feed)", reverse("blog:feed_json"), "application/feed+json"),
    )


def label_feeds(label: Label) -> tuple[FeedLink, ...]:
    name = f"{settings.SITE_NAME}: {label.name}"
    args = {"slug": label.slug}
    return (
        FeedLink(
            f"{name} (Atom)", reverse("blog:label_feed_atom", kwargs=args), "application/atom+xml"
        ),
        FeedLink(
            f"{name} (RSS)", reverse("blog:label_feed_rss", kwargs=args), "application/rss+xml"
        ),
        FeedLink(
            f"{name} (JSON Feed)",
            reverse("blog:label_feed_json", kwargs=args),
            "application/feed+json",
        ),
    )


def post_description(parts: list[PostPart]) -> str:
    """A sentence or two for link previews: the first quote or paragraph."""
    for part in parts:
        source = part.quoted_excerpt if part.kind == PartKind.CITATION else part.body
        text = markup_text(source)
        if text:
            return shorten(text, DESCRIPTION_LENGTH)
    return ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@dataclass(frozen=True, slots=True)
class PostMeta:
    url: str
    description: str
    image_url: str
    image_alt: str
    json_ld: dict[str, Any]


def post_meta(
    request: HttpRequest, post: Post, parts: list[PostPart], labels: list[Label]
) -> PostMeta:
    url = request.build_absolute_uri(post.get_absolute_url())
    description = post_description(parts)
    image = post.featured_image
    image_url = request.build_absolute_uri(image.card.url or image.original.url) if image else ""
    citations = [
        {
            "@type": "CreativeWork",
            "name": part.source_headline or part.outlet_name,
            "url": part.url,
            "publisher": {"@type": "Organization", "name": part.outlet_name},
        }
        for part in parts
        if part.url
    ]
    json_ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": post.title[:110],
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": _iso(post.published_at),
        "dateModified": _iso(post.last_modified),
        "author": {"@type": "Person", "name": post.author_name or settings.SITE_NAME},
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "description": description,
        "keywords": [label.name for label in labels],
    }
    if citations:
        json_ld["citation"] = citations
        json_ld["isBasedOn"] = [citation["url"] for citation in citations]
    if image_url:
        json_ld["image"] = [image_url]
    return PostMeta(
        url=url,
        description=description,
        image_url=image_url,
        image_alt=image.alt_text if image else "",
        json_ld=json_ld,
    )


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    location: str
    last_modified: datetime | None


# The sitemap protocol's limit of addresses in one file; past it, /sitemap.xml is an index of
# numbered files, each at most this long (so no request loads every post either).
SITEMAP_MAX_URLS = 50_000


def _sitemap_sources():  # type: ignore[no-untyped-def]
    posts = (
        Post.objects.published().newest_first().only("kind", "slug", "published_at", "updated_at")
    )
    labels = Label.objects.filter(posts__in=Post.objects.published()).distinct()
    return posts, labels


def sitemap_file_count() -> int:
    """How many sitemap files the site needs: the home page, every public post and label."""
    posts, labels = _sitemap_sources()
    return max(1, -(-(1 + posts.count() + labels.count()) // SITEMAP_MAX_URLS))


def sitemap_entries(request: HttpRequest, number: int = 1) -> list[SitemapEntry]:
    """The entries of sitemap file `number` (from 1): the home page, posts newest first, then
    labels, SITEMAP_MAX_URLS to a file."""
    start = (number - 1) * SITEMAP_MAX_URLS
    stop = start + SITEMAP_MAX_URLS
    posts, labels = _sitemap_sources()
    entries = []
    if start == 0:
        entries.append(SitemapEntry(request.build_absolute_uri(reverse("blog:home")), None))
    # Position 0 is the home page; posts follow it, labels follow the posts.
    entries += [
        SitemapEntry(request.build_absolute_uri(p.get_absolute_url()), p.last_modified)
        for p in posts[max(0, start - 1) : stop - 1]
    ]
    if len(entries) < SITEMAP_MAX_URLS:
        before_labels = 1 + posts.count()
        entries += [
            SitemapEntry(request.build_absolute_uri(label.get_absolute_url()), None)
            for label in labels[max(0, start - before_labels) : max(0, stop - before_labels)]
        ]
    return entries
