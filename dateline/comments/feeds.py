"""Comment feeds: site-wide and per post, as Atom, RSS 2.0 and JSON Feed, cached like pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from dateline.blog.caching import public_page
from dateline.blog.domain.text import xml_safe
from dateline.blog.models import Post
from dateline.comments.models import Comment, CommentKind, CommentStatus

ITEMS_PER_FEED = 50
FORMATS = {
    "atom": (Atom1Feed, "application/atom+xml"),
    "rss": (Rss201rev2Feed, "application/rss+xml"),
}
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def post_feed_links(post: Post) -> tuple[tuple[str, str, str], ...]:
    """The post's comment feeds, for its page's head (blog hook)."""
    title = f"Comments on {post.headline}"
    return (
        (f"{title} (Atom)", reverse("comments:post_feed", args=[post.pk, "atom"]),
         "application/atom+xml"),
        (f"{title} (RSS)", reverse("comments:post_feed", args=[post.pk, "rss"]),
         "application/rss+xml"),
        (f"{title} (JSON Feed)", reverse("comments:post_feed_json", args=[post.pk]),
         "application/feed+json"),
        (f"{settings.SITE_NAME}: all comments (Atom)", reverse("comments:feed", args=["atom"]),
         "application/atom+xml"),
    )  # fmt: skip


def _comments(post: Post | None) -> list[Comment]:
    shown = Comment.objects.filter(
        status=CommentStatus.APPROVED, post__in=Post.objects.published()
    ).select_related("post")
    if post is not None:
        shown = shown.filter(post=post)
    return list(shown.order_by("-created_at", "-id")[:ITEMS_PER_FEED])


def _post_or_404(post_id: int) -> Post:
    post = Post.objects.published().filter(pk=post_id).first()
    if post is None:
        raise Http404("no such post")
    return post


def _title(comment: Comment) -> str:
    verb = "on" if comment.kind == CommentKind.COMMENT else "linked to"
    return f"{comment.display_name} {verb} {comment.post.headline}"


def _entry_id(request: HttpRequest, comment: Comment) -> str:
    return (
        f"tag:{request.get_host().split(':')[0]},{comment.created_at:%Y-%m-%d}:comment-{comment.pk}"
    )


def _feed(request: HttpRequest, post: Post | None, kind: str) -> HttpResponse:
    if kind not in FORMATS:
        raise Http404("no such feed format")
    writer, media_type = FORMATS[kind]
    comments = _comments(post)
    page = request.build_absolute_uri(post.get_absolute_url() if post else "/")
    title = f"Comments on {post.headline}" if post else f"{settings.SITE_NAME}: comments"
    feed: SyndicationFeed = writer(
        title=xml_safe(title),
        link=page,
        description=xml_safe(title),
        feed_url=request.build_absolute_uri(),
        language="en",
    )
    for comment in comments:
        feed.add_item(
            title=xml_safe(_title(comment)),
            link=request.build_absolute_uri(comment.post.get_absolute_url())
            + f"#comment-{comment.pk}",
            description=xml_safe(comment.body_html),
            author_name=xml_safe(comment.display_name),
            pubdate=comment.created_at,
            updateddate=comment.edited_at or comment.created_at,
            unique_id=_entry_id(request, comment),
        )
    response = HttpResponse(content_type=f"{media_type}; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _json(request: HttpRequest, post: Post | None) -> HttpResponse:
    comments = _comments(post)
    title = f"Comments on {post.headline}" if post else f"{settings.SITE_NAME}: comments"
    items: list[dict[str, Any]] = [
        {
            "id": _entry_id(request, comment),
            "url": request.build_absolute_uri(comment.post.get_absolute_url())
            + f"#comment-{comment.pk}",
            "title": _title(comment),
            "content_html": comment.body_html,
            "date_published": comment.created_at.isoformat(),
            "authors": [{"name": comment.display_name}],
        }
        for comment in comments
    ]
    body = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": request.build_absolute_uri(post.get_absolute_url() if post else "/"),
        "feed_url": request.build_absolute_uri(),
        "items": items,
    }
    return JsonResponse(body, content_type="application/feed+json; charset=utf-8")


@public_page
def site_feed(request: HttpRequest, kind: str) -> HttpResponse:
    return _feed(request, None, kind)


@public_page
def site_json_feed(request: HttpRequest) -> HttpResponse:
    return _json(request, None)


@public_page
def post_feed(request: HttpRequest, post_id: int, kind: str) -> HttpResponse:
    return _feed(request, _post_or_404(post_id), kind)


@public_page
def post_json_feed(request: HttpRequest, post_id: int) -> HttpResponse:
    return _json(request, _post_or_404(post_id))
