"""The clusterer's view of the wire's articles: plain text, outlet, language, a clamped time."""

from __future__ import annotations

import re
from datetime import datetime

from dateline.core.markup_text import markup_text
from dateline.stories.domain.records import ArticleIn
from dateline.wire.models import Article

# The lead the clusterer reads when an article has no summary: enough for its features.
TEXT_LIMIT = 2000

_SPACE = re.compile(r"\s+")


def seen_at(published_at: datetime | None, fetched_at: datetime) -> datetime:
    """When an article counts as published: its own date, never later than it reached the wire."""
    if published_at is None:
        return fetched_at
    return min(published_at, fetched_at)


def article_in(article: Article) -> ArticleIn:
    """The clusterer's view of a wire article (its outlet must be loaded or loadable)."""
    text = markup_text(article.summary) or markup_text(article.content or article.full_text)
    return ArticleIn(
        id=str(article.pk),
        title=_SPACE.sub(" ", article.title).strip(),
        text=text[:TEXT_LIMIT],
        outlet=str(article.outlet_id),
        language=article.language or article.outlet.language or None,
        published=seen_at(article.published_at, article.fetched_at),
    )
