"""Finding a site's feeds from its home page: `<link rel="alternate" type="...rss+xml" href>`.

An editor pastes a site URL more often than a feed URL. The page's head names its feeds; this
module reads them with the standard library's tolerant HTML parser (broken pages are the norm)
and resolves each href against the page URL or its `<base href>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/feed+json": "json",
    "application/json": "json",
    "text/xml": "xml",
    "application/xml": "xml",
}
MAX_LINKS = 50


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    url: str
    title: str
    kind: str  # rss, atom, rdf, json, xml


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str]] = []  # href, title, kind

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        if tag != "link" or len(self.links) >= MAX_LINKS:
            return
        rels = values.get("rel", "").lower().split()
        kind = FEED_TYPES.get(values.get("type", "").lower().split(";")[0].strip())
        # JSON and plain XML types also name oEmbed and sitemap links; only count them as feeds
        # when the link is an alternate representation of the page.
        if "alternate" in rels and kind and values.get("href"):
            self.links.append((values["href"], values.get("title", ""), kind))


def discover_feeds(html: str, page_url: str) -> list[DiscoveredFeed]:
    """The feeds a page links to, in page order, each absolute http(s) URL once."""
    collector = _LinkCollector()
    collector.feed(html[:2_000_000])  # the head is near the top; a huge page is not read whole
    collector.close()
    base = urljoin(page_url, collector.base) if collector.base else page_url
    found: dict[str, DiscoveredFeed] = {}
    for href, title, kind in collector.links:
        url = urljoin(base, href)
        if urlsplit(url).scheme in {"http", "https"} and url not in found:
            found[url] = DiscoveredFeed(url=url, title=title, kind=kind)
    return list(found.values())
