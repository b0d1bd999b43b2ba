"""Blogger's exports, one Atom entry at a time, into records: the legacy "Back up content"
file (entries typed by a `kind#...` category), Google Takeout's `feed.atom` (the 2018
`blogger:` elements) and converter output that writes the same elements with `ns0:` prefixes
(the reader goes by namespace, never by prefix).

Comments are held until the end: Takeout lists comments before their posts, and a reply may
come before the comment it answers. A Takeout file with comments and no posts is a "Comments"
file: the user's comments on other blogs, which are not this blog's.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from dateline.porting.domain.addresses import path_of
from dateline.porting.domain.dates import iso_time
from dateline.porting.domain.html_text import text_to_html
from dateline.porting.domain.records import (
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

ATOM = ("http://www.w3.org/2005/Atom",)
TAKEOUT = ("http://schemas.google.com/blogger/2018",)
THREAD = ("http://purl.org/syndication/thread/1.0",)
# Blogger's legacy export writes app:control without declaring the prefix: read as written.
APP = ("http://purl.org/atom/app#", "http://www.w3.org/2007/app", "")
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
_LEGACY_SKIPPED = {"settings": "blog settings", "template": "template"}
_NO_EMAIL = "noreply@blogger.com"


class BloggerReader:
    def __init__(self, *, ns0: bool = False) -> None:
        self.feed_id = ""
        self.title = ""
        self.dialect = ""
        self.ns0 = ns0
        self.items = 0
        self._comments: list[SourceComment] = []
        self._header_sent = False

    def read(self, node: Node) -> Iterator[Record]:
        if node.namespace not in ATOM:
            return
        if node.name == "id" and not self.feed_id:
            self.feed_id = node.text.strip()
        elif node.name == "title" and not self.title:
            self.title = node.text.strip()
        elif node.name == "entry":
            record = self._entry(node)
            if not self._header_sent:
                self._header_sent = True
                yield self.header()
            if isinstance(record, SourceComment):
                self._comments.append(record)
            elif record is not None:
                if isinstance(record, SourceItem):
                    self.items += 1
                yield record

    def finish(self) -> Iterator[Record]:
        if not self._header_sent:
            self._header_sent = True
            yield self.header()
        if self.items == 0 and self._comments and self.dialect == "takeout":
            yield Skipped("comments on other blogs", comments=len(self._comments))
            return
        yield from _parents_first(self._comments)

    def header(self) -> FileHeader:
        blog = self.feed_id.removesuffix(".archive")
        dialect = self.dialect or "legacy"
        return FileHeader(
            format=f"blogger-{dialect}" + ("-ns0" if self.ns0 else ""),
            source=f"blogger:{blog}",
            title=self.title,
        )

    def _entry(self, node: Node) -> SourceItem | SourceComment | Skipped | None:
        takeout_type = node.text_of("type", TAKEOUT)
        if takeout_type:
            self.dialect = "takeout"
            return _takeout_entry(node, takeout_type)
        self.dialect = self.dialect or "legacy"
        return _legacy_entry(node)


def _legacy_entry(node: Node) -> SourceItem | SourceComment | Skipped | None:
    source_id = node.text_of("id", ATOM)
    kind = ""
    for category in node.find_all("category", ATOM):
        if category.attrs.get("scheme") == KIND_SCHEME:
            kind = category.attrs.get("term", "").rsplit("#", 1)[-1]
    if kind in _LEGACY_SKIPPED:
        return Skipped(_LEGACY_SKIPPED[kind], source_id)
    if kind == "comment":
        reply_to = node.find("in-reply-to", THREAD)
        post_id = reply_to.attrs.get("ref", "").strip() if reply_to is not None else ""
        return _comment(node, source_id, post_id, _legacy_parent(node, source_id), None)
    if kind not in ("post", "page"):
        return Skipped(f"unknown entry kind {kind or '(none)'}", source_id)
    control = next((c for c in node.children if c.name == "control" and c.namespace in APP), None)
    draft = control is not None and control.text_of("draft", APP).lower() == "yes"
    alternate = next(
        (
            link.attrs.get("href", "")
            for link in node.find_all("link", ATOM)
            if link.attrs.get("rel") == "alternate"
        ),
        "",
    )
    return _item(node, source_id, kind, Status.DRAFT if draft else Status.PUBLISHED, alternate)


def _legacy_parent(node: Node, source_id: str) -> str:
    """A threaded reply names its parent comment by a `related` link to that comment's feed
    address, ending in the comment's number."""
    prefix = source_id.rsplit(".post-", 1)[0]
    for link in node.find_all("link", ATOM):
        if link.attrs.get("rel") == "related":
            number = link.attrs.get("href", "").rstrip("/").rsplit("/", 1)[-1]
            if number.isdigit():
                return f"{prefix}.post-{number}"
    return ""


def _takeout_entry(node: Node, kind: str) -> SourceItem | SourceComment | Skipped | None:
    source_id = node.text_of("id", ATOM)
    status = node.text_of("status", TAKEOUT).upper()
    trashed = bool(node.text_of("trashed", TAKEOUT)) or "TRASH" in status
    if kind == "COMMENT":
        parent = node.text_of("inReplyTo", TAKEOUT)
        if parent.isdigit():
            parent = f"{source_id.rsplit('.post-', 1)[0]}.post-{parent}"
        return _comment(
            node,
            source_id,
            node.text_of("parent", TAKEOUT),
            parent,
            _comment_status(status, trashed),
        )
    if kind not in ("POST", "PAGE"):
        return Skipped(f"unknown entry type {kind}", source_id)
    if trashed:
        return Skipped("trashed", source_id, kept_html=node.text_of("content", ATOM))
    mapped = {"LIVE": Status.PUBLISHED, "SCHEDULED": Status.SCHEDULED}.get(status, Status.DRAFT)
    filename = node.text_of("filename", TAKEOUT)
    return _item(node, source_id, kind.lower(), mapped, filename)


def _comment_status(status: str, trashed: bool) -> CommentStatus:
    if trashed or "DELET" in status or "GHOST" in status:
        return CommentStatus.DELETED
    if "SPAM" in status:
        return CommentStatus.SPAM
    if "PENDING" in status or "MODERAT" in status:
        return CommentStatus.PENDING
    return CommentStatus.APPROVED


def _item(node: Node, source_id: str, kind: str, status: Status, address: str) -> SourceItem:
    path = path_of(address)
    labels: dict[str, None] = {}
    for category in node.find_all("category", ATOM):
        term = " ".join(category.attrs.get("term", "").split())
        if term and category.attrs.get("scheme") != KIND_SCHEME:
            labels.setdefault(term, None)
    published = iso_time(node.text_of("published", ATOM))
    updated = iso_time(node.text_of("updated", ATOM))
    stem = path.rsplit("/", 1)[-1].removesuffix(".html") if path else ""
    return SourceItem(
        source_id=source_id,
        kind=ItemKind.PAGE if kind == "page" else ItemKind.POST,
        status=status,
        title=_text(node.find("title", ATOM)),
        html=_content(node),
        published_at=published,
        updated_at=updated if updated and published and updated > published else None,
        author=_author_name(node),
        labels=tuple(labels),
        slug=stem,
        old_addresses=(path,) if path and path != "/" else (),
    )


def _comment(
    node: Node, source_id: str, post_id: str, parent: str, status: CommentStatus | None
) -> SourceComment:
    author = node.find("author", ATOM)
    email = author.text_of("email", ATOM) if author is not None else ""
    return SourceComment(
        source_id=source_id,
        item_source_id=post_id,
        body_html=_content(node),
        parent_source_id=parent,
        author=_author_name(node),
        email="" if email == _NO_EMAIL else email,
        url=author.text_of("uri", ATOM) if author is not None else "",
        status=status or CommentStatus.APPROVED,
        created_at=iso_time(node.text_of("published", ATOM)),
    )


def _author_name(node: Node) -> str:
    author = node.find("author", ATOM)
    # Kept as written: "Anonymous", "Unknown", or nothing at all.
    return author.text_of("name", ATOM) if author is not None else ""


def _text(node: Node | None) -> str:
    if node is None:
        return ""
    text = node.text.strip()
    if node.attrs.get("type") == "html":
        return html.unescape(text)
    return text


def _content(node: Node) -> str:
    content = node.find("content", ATOM)
    if content is None:
        return ""
    if content.attrs.get("type", "text") == "text":
        return text_to_html(content.text)
    return content.text.strip()


def _parents_first(comments: list[SourceComment]) -> Iterator[SourceComment]:
    """Comments in an order where each parent present in the file comes before its replies."""
    by_id = {comment.source_id: comment for comment in comments}
    done: set[str] = set()
    for comment in comments:
        chain = []
        current: SourceComment | None = comment
        while current is not None and current.source_id not in done:
            chain.append(current)
            done.add(current.source_id)
            parent = by_id.get(current.parent_source_id)
            current = parent if parent is not None and parent.source_id not in done else None
        yield from reversed(chain)
