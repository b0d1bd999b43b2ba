"""Small RSS documents written for the poller's tests (no publisher's text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE_TIME = datetime(2026, 2, 16, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    guid: str | None
    title: str
    link: str | None = None
    summary: str = "A summary."
    published: datetime | None = None


def items(count: int, *, prefix: str = "story", site: str = "https://news.example") -> list[Item]:
    return [
        Item(
            guid=f"{prefix}-{n}",
            title=f"{prefix.title()} number {n}",
            link=f"{site}/{prefix}/{n}",
            published=BASE_TIME - timedelta(hours=n),
        )
        for n in range(count)
    ]


def rss(entries: list[Item], *, title: str = "Test outlet", encoding: str = "utf-8") -> bytes:
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://news.example/</link>",
        "<description>Written for tests</description><language>en</language>",
    ]
    for item in entries:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.link is not None:
            parts.append(f"<link>{escape(item.link)}</link>")
        parts.append(f"<description>{escape(item.summary)}</description>")
        if item.published is not None:
            parts.append(f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)
