"""The wire's public commands: feeds in, articles out."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.html import escape

from dateline.wire.adapters.feeds import parse_feed
from dateline.wire.domain.records import PLAIN, TextValue
from dateline.wire.models import Article, Feed, Outlet
from dateline.wire.signals import article_ingested


@dataclass(frozen=True, slots=True)
class IngestResult:
    new: int
    updated: int
    warnings: tuple[str, ...]


def add_feed(
    *, url: str, outlet_name: str, home_url: str = "", country: str = "", language: str = ""
) -> Feed:
    outlet, _ = Outlet.objects.get_or_create(
        name=outlet_name,
        defaults={"home_url": home_url, "country": country.upper(), "language": language},
    )
    feed, _ = Feed.objects.get_or_create(url=url, defaults={"outlet": outlet})
    return feed


def ingest_document(feed: Feed, data: bytes, *, content_type: str | None = None) -> IngestResult:
    """Parses one fetched feed document and stores its entries as articles, in one transaction.

    Raises ParseError (nothing written) when the bytes are not a feed.
    """
    parsed = parse_feed(data, content_type=content_type, content_location=feed.url)
    language = parsed.feed.language or feed.outlet.language
    new = updated = 0
    ingested: list[Article] = []
    with transaction.atomic():
        existing = {
            a.guid: a
            for a in Article.objects.filter(feed=feed, guid__in=[e.id for e in parsed.entries])
        }
        for entry in parsed.entries:
            fields = {
                "url": entry.link or "",
                "title": entry.title or "",
                "summary": _as_html(entry.summary),
                "published_at": entry.published or entry.updated,
                "language": language or "",
            }
            article = existing.get(entry.id)
            if article is None:
                article = Article.objects.create(
                    outlet=feed.outlet, feed=feed, guid=entry.id, **fields
                )
                existing[entry.id] = article
                ingested.append(article)
                new += 1
            elif any(getattr(article, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(article, name, value)
                article.save(update_fields=list(fields))
                updated += 1
        if parsed.feed.title and not feed.title:
            feed.title = parsed.feed.title
            feed.save(update_fields=["title"])
        for article in ingested:
            transaction.on_commit(lambda a=article: article_ingested.send(Article, article=a))
    return IngestResult(new=new, updated=updated, warnings=tuple(parsed.warnings))


def _as_html(text: TextValue | None) -> str:
    """Article summaries are stored as HTML: the parser already sanitised HTML values (feed-content
    policy); plain text only needs escaping."""
    if text is None:
        return ""
    return escape(text.value) if text.type == PLAIN else text.value
