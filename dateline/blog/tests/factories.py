"""Builders for blog tests: realistic seed-style posts written through the public services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dateline.blog import services
from dateline.blog.domain.drafts import CitationDraft, CommentaryDraft, ProseDraft
from dateline.blog.models import Post, PostStatus

BASE_TIME = datetime(2016, 3, 30, 14, 5, tzinfo=UTC)


def citation(n: int = 1, **overrides: object) -> CitationDraft:
    fields: dict[str, object] = {
        "outlet_name": "The Guardian",
        "source_headline": f"Russia and US 'planning joint operation' number {n}",
        "url": f"https://news.example.org/world/{n}",
        "quoted_excerpt": "<p>Officials said talks were <em>at an advanced stage</em>.</p>",
        "retrieved_at": BASE_TIME,
    }
    fields.update(overrides)
    return CitationDraft(**fields)  # type: ignore[arg-type]


def seed_post(
    n: int = 1,
    *,
    at: datetime | None = None,
    labels: tuple[str, ...] = ("Syria",),
    status: str = PostStatus.PUBLISHED,
    **overrides: object,
) -> Post:
    """A post as the seed blog writes them: a citation, then the editor's commentary."""
    fields: dict[str, object] = {
        "headline": f"Joint operation planned in Raqqa {n}",
        "parts": [
            citation(n),
            CommentaryDraft(speaker="WNU Editor", text="<p>This would be a first.</p>"),
        ],
        "labels": labels,
        "dateline_place": "RAQQA, Syria",
        "status": status,
        "published_at": at or BASE_TIME + timedelta(hours=n),
        "byline": "WNU Editor",
    }
    fields.update(overrides)
    return services.create_post(**fields)  # type: ignore[arg-type]


def prose_post(n: int, **overrides: object) -> Post:
    return seed_post(n, parts=[ProseDraft(html=f"<p>Plain paragraph {n}.</p>")], **overrides)
