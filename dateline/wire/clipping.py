"""Pages the editor asks for now: clip any URL into an article, or fetch an article's text while
the desk waits.

Both fetch one page through the safe fetcher (the SSRF guard, size and time limits hold) with a
shorter time limit than the poller's, since an editor is waiting, and read it with the wire's
extractor (`adapters.extract`). They are fetches a person asked for, not a crawl, so robots.txt
is not consulted (docs/decisions/0086-clip-and-fetch-now.md). Nothing is written unless the page
was fetched and read; a page that could not be raises `ClipFailed`, whose message says why in
words an editor understands.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from dateline.core import safehttp
from dateline.core.markup_text import markup_text
from dateline.core.safehttp import FetchPolicy, FetchResult, Resolver
from dateline.core.sanitize import FEED_CONTENT, sanitize_html
from dateline.core.urls import InvalidURL, canonical_url, web_link
from dateline.wire.adapters.extract import (
    MAX_PAGE_BYTES,
    ExtractionFailed,
    PageFacts,
    main_text,
    page_facts,
)
from dateline.wire.exceptions import WireError
from dateline.wire.models import Article, FullTextStatus, Outlet

logger = logging.getLogger("dateline.wire.clipping")

# An editor waits for these fetches: a page that takes longer is reported, not waited for.
CONNECT_SECONDS = 5.0
READ_SECONDS = 10.0
TOTAL_SECONDS = 15.0
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
MAX_TYPED_TEXT = 50_000
# Fewer words than this on a page is no article (a menu, a cookie wall, a script-built page).
MIN_WORDS = 8
NO_TEXT = "No article text could be found on the page."


class ClipFailed(WireError):
    """A page could not be fetched or read; the message says why, for the editor."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Clipped:
    article: Article
    # False when the URL named an article the wire already had.
    created: bool


def page_policy(base: FetchPolicy) -> FetchPolicy:
    """`base` (the wire's policy: loopback allowed or not) with the limits of a page an editor
    waits for."""
    return replace(
        base,
        max_bytes=min(base.max_bytes, MAX_PAGE_BYTES),
        connect_timeout=min(base.connect_timeout, CONNECT_SECONDS),
        read_timeout=min(base.read_timeout, READ_SECONDS),
        total_timeout=min(base.total_timeout, TOTAL_SECONDS),
    )


def needs_text(article: Article) -> bool:
    """Whether the article has only its feed's summary and its page was never tried: the desk
    then asks for it with `fetch_text_now` before offering its paragraphs."""
    return (
        not article.content
        and article.full_text_status in (FullTextStatus.NOT_WANTED, FullTextStatus.PENDING)
        and bool(web_link(article.url))
    )


def fetch_text_now(
    article: Article, *, policy: FetchPolicy, resolve: Resolver | None = None
) -> Article:
    """Fetches and extracts `article`'s page now and keeps its main text (or why there is none,
    the summary standing in). Returns the article as stored; never raises for a bad page."""
    if not needs_text(article):
        return article
    try:
        page = _fetch_page(article.url, policy, resolve)
        text = _read_text(page)
    except ClipFailed as failed:
        status, text, note = FullTextStatus.FAILED, "", failed.reason[:300]
    else:
        status, note = FullTextStatus.FETCHED, ""
    # Only while it still waits: the worker may have stored it meanwhile.
    Article.objects.filter(
        pk=article.pk, full_text_status__in=[FullTextStatus.NOT_WANTED, FullTextStatus.PENDING]
    ).update(full_text=text, full_text_status=status, full_text_note=note, claimed_until=None)
    article.refresh_from_db(fields=["full_text", "full_text_status", "full_text_note"])
    return article


def clip(url: str, *, policy: FetchPolicy, resolve: Resolver | None = None) -> Clipped:
    """The wire article for the page at `url`: the one already stored under its canonical URL,
    or a new one from the fetched page (title, outlet from the site's name else its host, main
    text). Raises ClipFailed, writing nothing, when the page cannot be fetched or read."""
    url = url.strip()
    key = _key(url)
    known = Article.objects.filter(canonical_url=key).select_related("outlet").first()
    if known is not None and not needs_text(known):
        return Clipped(known, created=False)
    page = _fetch_page(url, policy, resolve)
    text = _read_text(page)
    try:
        facts = page_facts(page.body, url=page.url)
    except ExtractionFailed:
        facts = PageFacts(title="", site_name="", canonical_url="")
    keys = _keys(url, page, facts)
    known = known or Article.objects.filter(canonical_url__in=keys).select_related("outlet").first()
    if known is not None:
        Article.objects.filter(pk=known.pk).update(
            full_text=text, full_text_status=FullTextStatus.FETCHED, full_text_note=""
        )
        known.refresh_from_db()
        return Clipped(known, created=False)
    # trafilatura names a site without a name by its address: the host, without "www.", reads
    # better ("bbc.co.uk", not "www.bbc.co.uk:443").
    where = urlsplit(page.url)
    named = facts.site_name.lower() not in {
        "",
        where.netloc.lower(),
        (where.hostname or "").lower(),
    }
    outlet_name = facts.site_name if named else _host_name(page.url)
    return _store(
        key=keys[0],
        url=web_link(page.url) or url,
        title=facts.title,
        outlet_name=outlet_name,
        home_url=_origin(page.url),
        full_text=text,
    )


def clip_by_hand(*, url: str, title: str, outlet_name: str, text: str = "") -> Clipped:
    """The wire article for a citation the editor typed (a page the wire could not read): found
    by its canonical URL, else written from what was typed (`text` is plain paragraphs)."""
    url = url.strip()
    key = _key(url)
    outlet_name = " ".join(outlet_name.split())[:200]
    if not outlet_name:
        raise ClipFailed(url, "Name the outlet that published it.")
    known = Article.objects.filter(canonical_url=key).select_related("outlet").first()
    if known is not None:
        return Clipped(known, created=False)
    paragraphs = [" ".join(block.split()) for block in text[:MAX_TYPED_TEXT].split("\n\n")]
    summary = "".join(f"<p>{html.escape(block)}</p>" for block in paragraphs if block)
    return _store(
        key=key,
        url=url,
        title=" ".join(title.split()),
        outlet_name=outlet_name,
        home_url=_origin(url),
        summary=sanitize_html(summary, FEED_CONTENT, base_url=url),
        full_text_status=FullTextStatus.FAILED,
        note="typed by the editor",
    )


# --- internals -------------------------------------------------------------------------------


def _key(url: str) -> str:
    # A control character is no part of an address (and PostgreSQL refuses NUL in a query).
    if any(ord(character) < 32 or ord(character) == 127 for character in url):
        raise ClipFailed(url[:200], "That is not a web address (it holds control characters).")
    try:
        key = canonical_url(url)
    except InvalidURL as error:
        raise ClipFailed(
            url, "That is not a web address (it must start with http:// or https://)."
        ) from error
    if len(key) > 1000:
        raise ClipFailed(url, "That address is too long to keep.")
    return key


def _keys(url: str, page: FetchResult, facts: PageFacts) -> list[str]:
    """The canonical URLs the page answers to, the one to store it under first: the page's own
    canonical link when it names the same host (another host's would let any page claim an
    article of that site), where the redirects ended, and the address asked for."""
    found: list[str] = []
    for other in (facts.canonical_url, page.url):
        if not other or urlsplit(other).hostname != urlsplit(page.url).hostname:
            continue
        try:
            candidate = canonical_url(other)
        except InvalidURL:
            continue
        if len(candidate) <= 1000 and candidate not in found:
            found.append(candidate)
    asked = _key(url)
    return found if asked in found else [*found, asked]


def _fetch_page(url: str, policy: FetchPolicy, resolve: Resolver | None) -> FetchResult:
    try:
        result = safehttp.fetch(url, policy=page_policy(policy), resolve=resolve)
    except safehttp.BlockedAddress as error:
        raise ClipFailed(url, "Dateline does not fetch that address: it points into a private "
                              "or local network.") from error  # fmt: skip
    except safehttp.UnsupportedScheme as error:
        raise ClipFailed(url, "Only http:// and https:// pages can be clipped.") from error
    except safehttp.TooLarge as error:
        raise ClipFailed(url, f"The page is larger than the {MAX_PAGE_BYTES // (1024 * 1024)} MB "
                              "Dateline reads.") from error  # fmt: skip
    except safehttp.FetchTimeout as error:
        raise ClipFailed(
            url, f"The site did not answer within {TOTAL_SECONDS:g} seconds."
        ) from error
    except safehttp.TooManyRedirects as error:
        raise ClipFailed(url, "The site redirects in circles or too many times.") from error
    except safehttp.FetchError as error:
        raise ClipFailed(url, f"The site could not be reached ({_host_name(url)}).") from error
    if not result.ok:
        raise ClipFailed(url, f"The site answered HTTP {result.status}, not the page.")
    kind = (result.header("content-type") or "text/html").split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise ClipFailed(url, f"That is not a web page but {kind or 'an unnamed kind of file'}.")
    return result


def _read_text(page: FetchResult) -> str:
    try:
        text = main_text(page.body, url=page.url)
    except ExtractionFailed as error:
        raise ClipFailed(page.requested_url, NO_TEXT) from error
    # A page built by JavaScript, or a cookie wall, leaves a menu's word or two: no article.
    if len(markup_text(text).split()) < MIN_WORDS:
        raise ClipFailed(page.requested_url, NO_TEXT)
    return text


def _store(
    *,
    key: str,
    url: str,
    title: str,
    outlet_name: str,
    home_url: str,
    full_text: str = "",
    summary: str = "",
    full_text_status: str = FullTextStatus.FETCHED,
    note: str = "",
) -> Clipped:
    try:
        with transaction.atomic():
            outlet = Outlet.objects.filter(name=outlet_name[:200]).order_by("pk").first()
            if outlet is None:
                outlet = Outlet.objects.create(name=outlet_name[:200], home_url=home_url)
            article = Article.objects.create(
                outlet=outlet,
                feed=None,
                guid=f"clip:{key}"[:2000],
                url=url[:2000],
                title=title,
                summary=summary,
                canonical_url=key,
                full_text=full_text,
                full_text_status=full_text_status,
                full_text_note=note,
            )
    except IntegrityError:
        # Another request clipped the same page meanwhile: one article per canonical URL.
        existing = Article.objects.filter(canonical_url=key).select_related("outlet").first()
        if existing is None:
            raise
        return Clipped(existing, created=False)
    logger.info("clipped %s as article %s", url, article.pk)
    return Clipped(article, created=True)


def _host_name(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or url[:200]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
