"""Feeds out: Atom, RSS 2.0 and JSON Feed, for all posts and per label, with full content.

An entry's updated time is the post's last public change (`Post.last_modified`), so appending an
Update moves the entry and the feed's own updated time forward.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from dateline.blog.caching import public_page
from dateline.blog.domain.text import with_absolute_links, xml_safe
from dateline.blog.models import Label, Post
from dateline.blog.rendering import body_html

ITEMS_PER_FEED = 50
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _feed_posts(label: Label | None):  # type: ignore[no-untyped-def]
    posts = Post.objects.published()
    if label is not None:
        posts = posts.filter(labels=label)
    return posts.newest_first().for_listing().select_related("author")[:ITEMS_PER_FEED]


def _content(request: HttpRequest, post: Post) -> str:
    """The post's full body as HTML, the same markup as its page (stored parts are sanitised),
    with its links absolute: a reader shows it away from the site."""
    parts = sorted(post.parts.all(), key=lambda part: part.position)
    body = body_html(post, parts)
    return with_absolute_links(body, request.build_absolute_uri(post.get_absolute_url()))


def _entry_id(request: HttpRequest, post: Post) -> str:
    # Stable across slug changes, unlike the URL (RFC 4151 tag URI).
    return f"tag:{request.get_host().split(':')[0]},{post.created_at:%Y-%m-%d}:post-{post.pk}"


def _xml_safe(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(each) for each in value)
    if isinstance(value, dict):
        return {key: _xml_safe(each) for key, each in value.items()}
    return value


class _XmlSafeFeed:
    """Takes out of every value what XML 1.0 cannot hold before Django's writer sees it.

    One control character anywhere in the 50 newest posts (a vertical tab pasted into a
    headline, a byline, a label or a quote) made the writer raise, and the whole feed was a 500
    for every subscriber; in an attribute (Atom's category term) it went out and broke the XML.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*_xml_safe(args), **_xml_safe(kwargs))  # type: ignore[call-arg]

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*_xml_safe(args), **_xml_safe(kwargs))  # type: ignore[misc]


class _Rss(_XmlSafeFeed, Rss201rev2Feed):
    pass


class _AtomWithContent(_XmlSafeFeed, Atom1Feed):
    """Django's Atom writer puts the description in <summary>; full posts belong in <content>."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        content = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if content:
            handler.addQuickElement("content", content, {"type": "html"})


class _PostFeed(Feed):
    feed_type = _Rss

    def get_object(self, request: HttpRequest, slug: str | None = None) -> Label | None:
        self.request = request
        if slug is None:
            return None
        label = Label.objects.filter(slug=slug).first()
        if label is None:
            raise Http404("no such label")
        return label

    def title(self, label: Label | None) -> str:
        return f"{settings.SITE_NAME}: {label.name}" if label else settings.SITE_NAME

    def link(self, label: Label | None) -> str:
        return label.get_absolute_url() if label else reverse("blog:home")

    def description(self, label: Label | None) -> str:
        return (
            f"Posts filed under {label.name}" if label else f"Latest posts on {settings.SITE_NAME}"
        )

    def items(self, label: Label | None):  # type: ignore[no-untyped-def]
        return _feed_posts(label)

    def item_title(self, post: Post) -> str:
        return post.title

    def item_description(self, post: Post) -> str:
        return _content(self.request, post)

    def item_link(self, post: Post) -> str:
        return post.get_absolute_url()

    def item_guid(self, post: Post) -> str:
        return _entry_id(self.request, post)

    item_guid_is_permalink = False

    def item_pubdate(self, post: Post):  # type: ignore[no-untyped-def]
        return post.published_at

    def item_updateddate(self, post: Post):  # type: ignore[no-untyped-def]
        return post.last_modified

    def author_name(self) -> str:
        # Atom wants an author for every entry; the site's stands for posts without a byline.
        return settings.SITE_NAME

    def item_author_name(self, post: Post) -> str | None:
        # None, not "": Django's Atom writer puts an empty <name/> for "", a blank author.
        return post.author_name or None

    def item_categories(self, post: Post) -> list[str]:
        return [label.name for label in post.labels.all()]


class RssFeed(_PostFeed):
    feed_type = _Rss


class AtomFeed(_PostFeed):
    feed_type = _AtomWithContent

    def subtitle(self, label: Label | None) -> str:
        return self.description(label)


def _json_feed(request: HttpRequest, label: Label | None) -> HttpResponse:
    absolute = request.build_absolute_uri
    home = label.get_absolute_url() if label else reverse("blog:home")
    feed_path = (
        reverse("blog:label_feed_json", kwargs={"slug": label.slug})
        if label
        else reverse("blog:feed_json")
    )
    items = [
        {
            "id": _entry_id(request, post),
            "url": absolute(post.get_absolute_url()),
            "title": post.title,
            "content_html": _content(request, post),
            "date_published": post.published_at.isoformat(),
            "date_modified": post.last_modified.isoformat(),
            "authors": [{"name": post.author_name}] if post.author_name else [],
            "tags": [each.name for each in post.labels.all()],
        }
        for post in _feed_posts(label)
    ]
    body = {
        "version": JSON_FEED_VERSION,
        "title": f"{settings.SITE_NAME}: {label.name}" if label else settings.SITE_NAME,
        "home_page_url": absolute(home),
        "feed_url": absolute(feed_path),
        "language": settings.LANGUAGE_CODE,
        "items": items,
    }
    return JsonResponse(
        body, content_type="application/feed+json", json_dumps_params={"ensure_ascii": False}
    )


@public_page
def json_feed(request: HttpRequest) -> HttpResponse:
    return _json_feed(request, None)


@public_page
def label_json_feed(request: HttpRequest, slug: str) -> HttpResponse:
    label = Label.objects.filter(slug=slug).first()
    if label is None:
        raise Http404("no such label")
    return _json_feed(request, label)


atom_feed = public_page(AtomFeed())
rss_feed = public_page(RssFeed())
