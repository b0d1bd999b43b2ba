"""WordPress's WXR 1.0, 1.1 and 1.2, one channel element at a time, into records.

What WordPress's own importer does is the reference: an item without a post type is skipped
with its comments, trashed posts and auto-drafts are not posts, a file without a valid
`wp:wxr_version` is not a WXR file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import unquote, urlsplit

from dateline.porting.domain.addresses import path_of
from dateline.porting.domain.dateline_markup import is_dateline_markup
from dateline.porting.domain.dates import wordpress_time
from dateline.porting.domain.html_text import autop
from dateline.porting.domain.records import (
    Author,
    CommentKind,
    CommentStatus,
    FileHeader,
    ItemKind,
    Node,
    Record,
    Skipped,
    SourceComment,
    SourceItem,
    Status,
)

# WordPress.com's own exports write the namespace with https.
WP = tuple(
    f"{scheme}://wordpress.org/export/1.{minor}/"
    for scheme in ("http", "https")
    for minor in range(3)
)
CONTENT = ("http://purl.org/rss/1.0/modules/content/",)
DC = ("http://purl.org/dc/elements/1.1/",)
VERSIONS = ("1.0", "1.1", "1.2")
_VERSION = re.compile(r"\d+\.\d+")

_STATUSES = {
    "publish": Status.PUBLISHED,
    "future": Status.SCHEDULED,
    "draft": Status.DRAFT,
    "pending": Status.PENDING_REVIEW,
    "private": Status.PRIVATE,
}
_NOT_POSTS = {"trash": "trashed", "auto-draft": "auto-draft"}
_SKIPPED_TYPES = {"attachment": "attachment", "nav_menu_item": "menu item", "revision": "revision"}
# WordPress's own bookkeeping stored as posts: not content anyone wrote.
_INTERNAL_TYPES = frozenset(
    {
        "wp_global_styles",
        "wp_navigation",
        "wp_template",
        "wp_template_part",
        "wp_block",
        "wp_font_family",
        "wp_font_face",
        "custom_css",
        "customize_changeset",
        "oembed_cache",
        "user_request",
        "wp_changeset",
    }
)
_LABEL_DOMAINS = frozenset({"", "category", "post_tag", "tag"})
_COMMENT_STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.DELETED,
    "post-trashed": CommentStatus.DELETED,
}


class NotWxr(ValueError):
    """The channel is not a WXR file WordPress would import (no valid version)."""


class WxrReader:
    """Reads a WXR channel's children in order; `read` gives each one's records."""

    def __init__(self) -> None:
        self.version = ""
        self.site_url = ""
        self.blog_url = ""
        self.title = ""
        self.authors: dict[str, Author] = {}
        self._header_sent = False
        self._ids_seen: dict[str, int] = {}

    def read(self, node: Node) -> Iterator[Record]:
        name, namespace = node.name, node.namespace
        if namespace in WP:
            if name == "wxr_version":
                self._check_version(node.text.strip())
            elif name == "base_site_url":
                self.site_url = node.text.strip()
            elif name == "base_blog_url":
                self.blog_url = node.text.strip()
            elif name == "author":
                author = _author(node)
                if author.login:
                    self.authors.setdefault(author.login, author)
                    yield author
            return
        if namespace == "" and name == "title" and not self.title:
            self.title = node.text.strip()
        elif namespace == "" and name == "link" and not self.blog_url:
            self.blog_url = node.text.strip()
        elif namespace == "" and name == "item":
            if not self.version:
                raise NotWxr("no wp:wxr_version before the first item")
            if not self._header_sent:
                self._header_sent = True
                yield self.header()
            yield from self._item(node)

    def finish(self) -> Iterator[Record]:
        if not self.version:
            raise NotWxr("no wp:wxr_version element")
        if not self._header_sent:
            self._header_sent = True
            yield self.header()

    def header(self) -> FileHeader:
        site = self.blog_url or self.site_url
        # A file that names no site (hand-written ones) is told apart by its title at least.
        source = f"wxr:{site}" if site else f"wxr-title:{self.title}"
        return FileHeader(
            format=f"wxr-{self.version}", source=source, site_url=site, title=self.title
        )

    def _check_version(self, version: str) -> None:
        if not _VERSION.fullmatch(version):
            raise NotWxr(f"invalid wp:wxr_version {version[:20]!r}")
        self.version = version

    def _item(self, node: Node) -> Iterator[Record]:
        post_id = node.text_of("post_id", WP)
        source_id = self._once(f"post:{post_id}" if post_id else f"guid:{node.text_of('guid')}")
        post_type = node.text_of("post_type", WP)
        comments = node.find_all("comment", WP)
        title = node.text_of("title")
        if not post_type:
            yield Skipped("no post type", source_id, title=title, comments=len(comments))
            return
        if post_type not in ("post", "page"):
            reason = _SKIPPED_TYPES.get(post_type) or (
                "WordPress internal" if post_type in _INTERNAL_TYPES else "custom post type"
            )
            yield Skipped(reason, source_id, title=title, comments=len(comments))
            return
        html = node.text_of("encoded", CONTENT)
        status_text = node.text_of("status", WP) or "publish"
        if status_text in _NOT_POSTS:
            yield Skipped(
                _NOT_POSTS[status_text],
                source_id,
                kept_html=html,
                title=title,
                comments=len(comments),
            )
            return
        kind = ItemKind.PAGE if post_type == "page" else ItemKind.POST
        password = bool(node.text_of("post_password", WP))
        status = _STATUSES.get(status_text, Status.DRAFT)
        if password and status == Status.PUBLISHED:
            status = Status.PRIVATE
        login = node.text_of("creator", DC) or node.text_of("author", WP)
        published = wordpress_time(
            node.text_of("post_date_gmt", WP),
            node.text_of("post_date", WP),
            node.text_of("pubDate"),
        )
        modified = wordpress_time(
            node.text_of("post_modified_gmt", WP), node.text_of("post_modified", WP)
        )
        author = self.authors.get(login)
        yield SourceItem(
            source_id=source_id,
            kind=kind,
            status=status,
            title=title,
            # WordPress adds paragraphs when it shows a post; Dateline's own export has them.
            html=html if is_dateline_markup(html) else autop(html),
            published_at=published,
            updated_at=_later(modified, published),
            author=(author.display_name if author and author.display_name else login),
            labels=_labels(node),
            sticky=node.text_of("is_sticky", WP) == "1",
            password_protected=password,
            slug=unquote(node.text_of("post_name", WP)),
            old_addresses=self._addresses(node, kind, post_id),
        )
        for position, comment in enumerate(comments):
            yield _comment(comment, source_id, position)

    def _once(self, source_id: str) -> str:
        """A hand-edited file may give two items one id (WordPress's importer keeps both, told
        apart by title and date): the second is `post:175#2`, the same on every import."""
        seen = self._ids_seen.get(source_id, 0) + 1
        self._ids_seen[source_id] = seen
        return source_id if seen == 1 else f"{source_id}#{seen}"

    def _addresses(self, node: Node, kind: ItemKind, post_id: str) -> tuple[str, ...]:
        base_path = urlsplit(self.blog_url).path if self.blog_url else ""
        found: dict[str, None] = {}
        link = path_of(node.text_of("link"), base_path)
        if link and link != "/":
            found[link] = None
        if post_id.isdigit():
            found[f"/?{'page_id' if kind == ItemKind.PAGE else 'p'}={post_id}"] = None
        return tuple(found)


def _later(modified: datetime | None, published: datetime | None) -> datetime | None:
    """An update time only when it is after publication (WordPress writes one on every post)."""
    return modified if modified and published and modified > published else None


def _author(node: Node) -> Author:
    return Author(
        login=node.text_of("author_login", WP),
        display_name=node.text_of("author_display_name", WP),
        email=node.text_of("author_email", WP),
    )


def _labels(node: Node) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for category in node.find_all("category", ("",)):
        if category.attrs.get("domain", "") in _LABEL_DOMAINS:
            name = " ".join(category.text.split())
            if name:
                names.setdefault(name, None)
    return tuple(names)


def _comment(node: Node, item_source_id: str, position: int) -> SourceComment:
    comment_id = node.text_of("comment_id", WP)
    parent = node.text_of("comment_parent", WP)
    kind_text = node.text_of("comment_type", WP)
    approved = node.text_of("comment_approved", WP)
    return SourceComment(
        source_id=f"comment:{comment_id}" if comment_id else f"{item_source_id}:comment:{position}",
        item_source_id=item_source_id,
        body_html=autop(node.text_of("comment_content", WP)),
        parent_source_id=f"comment:{parent}" if parent and parent != "0" else "",
        author=node.text_of("comment_author", WP),
        email=node.text_of("comment_author_email", WP),
        url=node.text_of("comment_author_url", WP),
        status=_COMMENT_STATUSES.get(approved, CommentStatus.PENDING),
        kind=CommentKind(kind_text)
        if kind_text in ("pingback", "trackback")
        else CommentKind.COMMENT,
        created_at=wordpress_time(
            node.text_of("comment_date_gmt", WP), node.text_of("comment_date", WP)
        ),
    )
