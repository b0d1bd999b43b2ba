"""What callers hand the blog to write: typed, immutable drafts of a post's parts.

The desk, porting and the demo build these and pass them to `dateline.blog.services`; the blog
turns them into rows. Text fields are HTML fragments (plain text is a valid fragment); the
services sanitise them with the post-body policy before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CitationDraft:
    """A quoted source: rendered as "Outlet: Their headline", the quote, and "Read more"."""

    outlet_name: str
    source_headline: str
    url: str
    quoted_excerpt: str = ""
    retrieved_at: datetime | None = None
    # The ingested wire.Article this quotes, when the desk composed it from one.
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class CommentaryDraft:
    """The blog's own voice: "WNU Editor: ..."."""

    text: str
    speaker: str = ""


@dataclass(frozen=True, slots=True)
class UpdateDraft:
    """A timestamped addition after publication: "Update: ... (RUDAW)"."""

    text: str
    at: datetime | None = None  # None: the time it is appended
    citation: CitationDraft | None = None


@dataclass(frozen=True, slots=True)
class ProseDraft:
    """Plain paragraphs of the post's body."""

    html: str


@dataclass(frozen=True, slots=True)
class RawHtmlDraft:
    """An imported body with no structure, kept as (sanitised) HTML."""

    html: str


PartDraft = CitationDraft | CommentaryDraft | UpdateDraft | ProseDraft | RawHtmlDraft


@dataclass(frozen=True, slots=True)
class PostDraft:
    """A whole post for `services.create_posts` (imports write thousands at once): the same
    fields as `create_post` takes, `author_id` for a user account."""

    headline: str
    parts: tuple[PartDraft, ...] = ()
    labels: tuple[str, ...] = ()
    byline: str = ""
    dateline_place: str = ""
    status: str = "draft"
    sticky: bool = False
    published_at: datetime | None = None
    # The last public change (an imported post's "updated" time); None: never changed.
    updated_at: datetime | None = None
    slug: str = ""
    kind: str = "post"
    author_id: int | None = None
