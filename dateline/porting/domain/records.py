"""What an export holds, read into typed records: the same for Blogger's dialects and WXR.

The readers (`blogger`, `wxr`) turn one element of the file at a time into these; the importer
writes them through the blog's and comments' services. Nothing here knows Django or XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ItemKind(StrEnum):
    POST = "post"
    PAGE = "page"


class Status(StrEnum):
    """A post's status, as the blog names them."""

    PUBLISHED = "published"
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PRIVATE = "private"
    PENDING_REVIEW = "pending_review"


class CommentStatus(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"
    SPAM = "spam"
    DELETED = "deleted"


class CommentKind(StrEnum):
    COMMENT = "comment"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"


@dataclass(frozen=True, slots=True)
class SourceItem:
    """A post or page as the source blog had it."""

    source_id: str
    kind: ItemKind
    status: Status
    title: str
    html: str
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author: str = ""
    labels: tuple[str, ...] = ()
    sticky: bool = False
    password_protected: bool = False
    # The slug the source used (WordPress's post_name, Blogger's file name), wanted again here.
    slug: str = ""
    # Paths (with a query for WordPress's /?p=12) the item answered at on the source blog.
    old_addresses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceComment:
    source_id: str
    item_source_id: str
    body_html: str
    # The comment this one replies to; "" for none. It may be missing from the file.
    parent_source_id: str = ""
    author: str = ""
    email: str = ""
    url: str = ""
    status: CommentStatus = CommentStatus.APPROVED
    kind: CommentKind = CommentKind.COMMENT
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something in the file that is not imported, and why ("trashed", "attachment"...)."""

    reason: str
    source_id: str = ""
    # The source kept in porting's table (trashed posts and auto-drafts), when there is one.
    kept_html: str = ""
    title: str = ""
    # Comments skipped with it (an item with no post type takes its comments along).
    comments: int = 0


@dataclass(frozen=True, slots=True)
class Author:
    """An author the file lists (WXR's wp:author): their login and the name shown."""

    login: str
    display_name: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class FileHeader:
    """What the file says about itself before its items."""

    format: str
    # What identifies the source blog: imports of the same blog share it (idempotent re-import).
    source: str = ""
    site_url: str = ""
    title: str = ""


Record = SourceItem | SourceComment | Skipped | Author | FileHeader


@dataclass(slots=True)
class Node:
    """One element of the file, detached from the parser: its tag in Clark notation
    ("{namespace}name"), attributes, text (all text directly inside it, CDATA included) and
    children. The XML adapter hands the readers these, one top-level element at a time."""

    tag: str
    text: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The local name, without namespace or prefix."""
        return self.tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]

    @property
    def namespace(self) -> str:
        return self.tag[1:].split("}", 1)[0] if self.tag.startswith("{") else ""

    def find(self, name: str, namespaces: tuple[str, ...] | None = None) -> Node | None:
        for child in self.children:
            if child.name == name and (namespaces is None or child.namespace in namespaces):
                return child
        return None

    def find_all(self, name: str, namespaces: tuple[str, ...] | None = None) -> list[Node]:
        return [
            child
            for child in self.children
            if child.name == name and (namespaces is None or child.namespace in namespaces)
        ]

    def text_of(self, name: str, namespaces: tuple[str, ...] | None = None) -> str:
        found = self.find(name, namespaces)
        return found.text.strip() if found is not None else ""
