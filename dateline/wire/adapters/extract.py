"""The one wrapper around trafilatura: an article page's HTML -> its main text, sanitised.

Feeds that carry only a summary get the page's main text kept beside it (see wire.fulltext).
trafilatura finds the article body among navigation, adverts and comments; its HTML output is
then cleaned by the shared sanitiser with the feed-content policy, like any feed HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from trafilatura.utils import load_html

from dateline.core.sanitize import FEED_CONTENT, sanitize_html
from dateline.wire.exceptions import WireError


class ExtractionFailed(WireError):
    """The page has no main text trafilatura can find (or is not an HTML page at all)."""


# Pages beyond this are not worth the CPU (the fetcher's own limit is larger, for feeds).
MAX_PAGE_BYTES = 5 * 1024 * 1024


def main_text(page: bytes, *, url: str) -> str:
    """The page's main text as sanitised HTML. Raises ExtractionFailed when there is none."""
    if len(page) > MAX_PAGE_BYTES:
        raise ExtractionFailed(f"the page is {len(page)} bytes, more than {MAX_PAGE_BYTES} read")
    try:
        extracted = trafilatura.extract(
            page,
            url=url,
            output_format="html",
            include_comments=False,
            include_tables=True,
            include_links=True,
            favor_precision=True,
        )
    except (ValueError, TypeError) as error:  # malformed markup trafilatura cannot parse
        raise ExtractionFailed(f"the page could not be read: {error}") from error
    text = sanitize_html(extracted or "", FEED_CONTENT, base_url=url).strip()
    if not text:
        raise ExtractionFailed("no main text found on the page")
    return text


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What a page says about itself: its title, the site's name and its canonical address
    (each empty when the page does not say)."""

    title: str
    site_name: str
    canonical_url: str


def page_facts(page: bytes, *, url: str) -> PageFacts:
    """The page's own title, site name (OpenGraph's `og:site_name` and the like) and canonical
    URL, as trafilatura reads them from its head."""
    if len(page) > MAX_PAGE_BYTES:
        raise ExtractionFailed(f"the page is {len(page)} bytes, more than {MAX_PAGE_BYTES} read")
    try:
        # load_html reads the page's declared or detected encoding, as extract() does.
        tree = load_html(page)
        if tree is None:
            raise ExtractionFailed("the page is not HTML")
        facts = trafilatura.extract_metadata(tree, default_url=url)
    except (ValueError, TypeError) as error:
        raise ExtractionFailed(f"the page could not be read: {error}") from error
    return PageFacts(
        title=_one_line(facts.title),
        site_name=_one_line(facts.sitename),
        canonical_url=(facts.url or "").strip(),
    )


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
