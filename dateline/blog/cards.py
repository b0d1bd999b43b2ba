"""Post cards on list pages, rendered once per version of a post and shared by every process.

A list page (home, label, archive) shows twenty posts' whole bodies: rendering their cards and
loading their parts and labels was most of an uncached list page's time. A card shows only its
post, so it is kept in the shared cache under the post's id and what moves when anything on it
changes (slug, publication time, last public change: the services move `updated_at` on every
edit of a published post) and its counts (`hooks.attach_counts`: comment counts, one query
for the page), plus the code's release. Only the missing cards are rendered, their
parts and labels loaded in two queries for all of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.cache import caches
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dateline.blog import release
from dateline.blog.generations import CACHE_ALIAS
from dateline.blog.models import Post, PostPart

CARD_SECONDS = 24 * 60 * 60


def attach_cards(posts: Iterable[Post]) -> None:
    """Sets `post.card`, its rendered card, on each of `posts`."""
    posts = list(posts)
    if not posts:
        return
    cache = caches[CACHE_ALIAS]
    keys = {post.pk: _key(post) for post in posts}
    found: dict[str, str] = cache.get_many(list(keys.values()))
    missing = [post for post in posts if keys[post.pk] not in found]
    if missing:
        prefetch_related_objects(
            missing,
            "featured_image",  # no query when none of them has one
            "labels",
            Prefetch("parts", queryset=PostPart.objects.order_by("position")),
        )
        rendered = {
            keys[post.pk]: render_to_string("blog/_card.html", {"post": post}) for post in missing
        }
        cache.set_many(rendered, CARD_SECONDS)
        found.update(rendered)
    for post in posts:
        post.card = mark_safe(found[keys[post.pk]])  # type: ignore[attr-defined]


def _key(post: Post) -> str:
    counts = getattr(post, "counts", ())  # hooks.attach_counts: comment counts and the like
    version = f"{post.slug}|{post.published_at}|{post.updated_at}|{post.status}|{counts}"
    digest = hashlib.blake2b(version.encode(), digest_size=12).hexdigest()
    return f"card:{release.tag()}:{post.pk}:{digest}"


__all__ = ["SafeString", "attach_cards"]
