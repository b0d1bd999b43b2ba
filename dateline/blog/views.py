"""The public site's pages. Thin: each asks a QuerySet or the search for data and renders it.

Every list page runs a fixed number of queries whatever the number of posts, labels or parts
(the tests hold them to it with assertNumQueries).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from dateline.blog import generations, hooks, seo
from dateline.blog import search as post_search
from dateline.blog.caching import CACHE_ALIAS, public_page, reading_only, rendered_under
from dateline.blog.cards import attach_cards
from dateline.blog.domain.days import group_by_day
from dateline.blog.domain.slugs import slugify
from dateline.blog.domain.text import xml_safe
from dateline.blog.exceptions import PostNotFound
from dateline.blog.models import (
    Label,
    Post,
    PublicListing,
    SlugRedirect,
    labels_of,
    parts_of,
    post_by_slug,
    published_neighbours,
)

POSTS_PER_PAGE = 20
COUNT_SECONDS = 60 * 60
SEARCH_RESULTS_PER_PAGE = 20


def _counted(request: HttpRequest, listing: PublicListing) -> PublicListing:
    """The listing with its count taken from the shared cache while the listings have not
    changed: counting 10,000 posts was a sixth of an uncached home page."""
    version = rendered_under(request)
    if version is None:
        return listing
    key = "count:" + hashlib.blake2b(f"{version}:{listing.identity}".encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    known = cache.get(key)
    if known is None:
        cache.set(key, listing.count(), COUNT_SECONDS)
    else:
        listing.know_count(known)
    return listing


def _page(items, number: int | str | None, per_page: int = POSTS_PER_PAGE):  # type: ignore[no-untyped-def]
    paginator = Paginator(items, per_page, allow_empty_first_page=True)
    try:
        # No number (or ?page=) is the first page; /page/0/ is no page, not the first again.
        return paginator.page(1 if number in (None, "") else int(number))
    except (EmptyPage, ValueError) as error:
        raise Http404("no such page") from error


def _pager(current, url_for) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    """Links to the newer (previous) and older (next) page; `url_for(n)` builds page n's URL."""
    return {
        "newer_url": url_for(current.previous_page_number()) if current.has_previous() else None,
        "older_url": url_for(current.next_page_number()) if current.has_next() else None,
    }


def _query_page_url(request: HttpRequest):  # type: ignore[no-untyped-def]
    def url_for(number: int) -> str:
        query = request.GET.copy()
        if number == 1:
            query.pop("page", None)
        else:
            query["page"] = str(number)
        encoded = query.urlencode()
        return f"{request.path}?{encoded}" if encoded else request.path

    return url_for


def _days(request: HttpRequest, posts):  # type: ignore[no-untyped-def]
    posts = list(posts)
    _with_cards(request, posts)
    return group_by_day(posts, lambda p: p.published_at, timezone.get_current_timezone())


def _with_cards(request: HttpRequest, posts: list[Post]) -> None:
    # Counts first (comment counts and the like, from apps built on the blog): a card shows them.
    _attach_counts(request, posts)
    attach_cards(posts)


def _attach_counts(request: HttpRequest, posts: list[Post]) -> None:
    """The apps' counts for `posts`, kept in the shared cache while the listings stand: every
    change they count (a comment shown or hidden) calls `post_changed`, which moves them."""
    version = rendered_under(request)
    if version is None or not posts:
        hooks.attach_counts(posts)
        return
    ids = ",".join(str(post.pk) for post in posts)
    key = "counts:" + hashlib.blake2b(f"{version}:{ids}".encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    known = cache.get(key)
    if known is None:
        hooks.attach_counts(posts)
        cache.set(key, [post.counts for post in posts], COUNT_SECONDS)  # type: ignore[attr-defined]
        return
    for post, counts in zip(posts, known, strict=True):
        post.counts = counts  # type: ignore[attr-defined]


UNPUBLISHED_PERMISSION = "blog.view_unpublished"


def _may_see_unpublished(request: HttpRequest) -> bool:
    """Drafts, scheduled and private posts show at their address to superusers and to those
    granted `blog.view_unpublished` (the desk's editors): `is_staff` alone is the admin's flag."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.has_perm(
        UNPUBLISHED_PERMISSION
    )


@public_page
def home(request: HttpRequest, page: int = 1) -> HttpResponse:
    current = _page(_counted(request, PublicListing(sticky=False)), page)
    pinned = _counted(request, PublicListing(sticky=True)).all() if current.number == 1 else []
    _with_cards(request, pinned)
    return render(
        request,
        "blog/home.html",
        {
            "page": current,
            "days": _days(request, current.object_list),
            "pinned": pinned,
            "canonical_path": request.path,
            "feeds": seo.site_feeds(),
            **_pager(
                current,
                lambda n: reverse("blog:home_page", kwargs={"page": n}) if n > 1 else "/",
            ),
        },
    )


@public_page
def label(request: HttpRequest, slug: str, page: int = 1) -> HttpResponse:
    found = Label.objects.filter(slug=slug).first()
    if found is None:
        # Typed by hand as the label reads ("Syria"; slugs are lower case): the label's own
        # address, if the spelling names one.
        spelled = slugify(slug)
        found = Label.objects.filter(slug=spelled).first() if spelled != slug else None
        if found is None:
            raise Http404("no such label")
    own = (
        found.get_absolute_url()
        if page == 1
        else reverse("blog:label_page", kwargs={"slug": found.slug, "page": page})
    )
    # Also when the slug was found as the URL converter composed it (the address was written
    # decomposed): one address per page.
    if unquote(own) != request.path:
        return HttpResponsePermanentRedirect(own)
    listed = _counted(request, PublicListing(label_id=found.pk))
    current = _page(listed, page)
    return render(
        request,
        "blog/label.html",
        {
            "label": found,
            "page": current,
            "days": _days(request, current.object_list),
            "feeds": seo.label_feeds(found),
            "canonical_path": request.path,
            **_pager(
                current,
                lambda n: (
                    reverse("blog:label_page", kwargs={"slug": slug, "page": n})
                    if n > 1
                    else found.get_absolute_url()
                ),
            ),
        },
    )


@public_page
def archive(
    request: HttpRequest, year: str, month: str | None = None, day: str | None = None
) -> HttpResponse:
    try:
        first = date(int(year), int(month or 1), int(day or 1))
        if day:
            last = first + timedelta(days=1)
            title = first.strftime("%A, %B %-d, %Y")
        elif month:
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            title = first.strftime("%B %Y")
        else:
            last = first.replace(year=first.year + 1)
            title = str(first.year)
        start, end = _utc_midnight(first), _utc_midnight(last)
    except (ValueError, OverflowError) as error:
        # A real date whose bounds fall outside what a datetime can hold (the end of 9999, or
        # the start of year 1 in a zone ahead of UTC): no post can be there.
        raise Http404("no such date") from error
    current = _page(_counted(request, PublicListing(start=start, end=end)), request.GET.get("page"))
    return render(
        request,
        "blog/archive.html",
        {
            "title": title,
            "page": current,
            "days": _days(request, current.object_list),
            "canonical_path": request.path,
            "feeds": seo.site_feeds(),
            **_pager(current, _query_page_url(request)),
        },
    )


def _utc_midnight(day: date) -> datetime:
    """The start of `day` in the site's time zone, in UTC (as the database compares it)."""
    local = timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())
    return local.astimezone(UTC)


def _find_post(request: HttpRequest, slug: str) -> Post:
    found = post_by_slug(slug, public_only=not _may_see_unpublished(request))
    if found is None:
        raise PostNotFound(request.path)
    return found


@public_page(depends_on=lambda kwargs: generations.post_page(kwargs["slug"]))
def post(request: HttpRequest, year: str, month: str, slug: str) -> HttpResponse:
    try:
        found = _find_post(request, slug)
    except PostNotFound:
        moved = SlugRedirect.objects.filter(old_slug=slug).select_related("post").first()
        if moved is not None and moved.post.is_public:
            return HttpResponsePermanentRedirect(moved.post.get_absolute_url())
        # Typed by hand with capitals (slugs are lower case).
        spelled = slugify(slug)
        respelled = post_by_slug(spelled) if spelled != slug else None
        if respelled is not None:
            return HttpResponsePermanentRedirect(respelled.get_absolute_url())
        raise
    canonical = found.get_absolute_url()
    if unquote(canonical) != request.path:
        return HttpResponsePermanentRedirect(canonical)
    # Fetched directly rather than prefetched: for one post, prefetch_related's machinery costs
    # more than the two queries it runs (and the ORM's compiling more than running them).
    parts = parts_of(found)
    labels = labels_of(found)
    updates = [part for part in parts if part.kind == "update"]
    previous_post, next_post = published_neighbours(found)
    return render(
        request,
        "blog/post.html",
        {
            "post": found,
            "parts": parts,
            "updates": updates,
            "labels": labels,
            "previous_post": previous_post,
            "next_post": next_post,
            "sections": _sections(request, found),
            "canonical_path": canonical,
            "meta": seo.post_meta(request, found, parts, labels),
            "feeds": seo.site_feeds() + seo.extra_feeds(hooks.post_feeds(found)),
        },
    )


@public_page
def page(request: HttpRequest, slug: str) -> HttpResponse:
    """A page (an imported "About" or "Contact"): a post outside the stream, at /p/<slug>/."""
    found = _find_post(request, slug)
    canonical = found.get_absolute_url()
    if unquote(canonical) != request.path:
        return HttpResponsePermanentRedirect(canonical)
    parts = parts_of(found)
    labels = labels_of(found)
    return render(
        request,
        "blog/post.html",
        {
            "post": found,
            "parts": parts,
            "updates": [part for part in parts if part.kind == "update"],
            "labels": labels,
            "sections": _sections(request, found),
            "canonical_path": canonical,
            "meta": seo.post_meta(request, found, parts, labels),
            "feeds": seo.site_feeds(),
        },
    )


def _sections(request: HttpRequest, found: Post) -> list[SafeString]:
    # What other apps add below the post (comments). Plain strings are escaped: a section must
    # hand back SafeString (render_to_string does) to be rendered as HTML.
    return [conditional_escape(section(request, found)) for section in hooks.post_sections()]


@reading_only
def blogger_redirect(request: HttpRequest, year: str, month: str, slug: str) -> HttpResponse:
    """Blogger's /YYYY/MM/slug.html addresses, for a post whose slug is the old file name and
    whose month is the address's (imports keep each post's exact old address as well, looked up
    first: see blog.middleware). Another month's post of that name is not it: /2009/01/test.html
    is not the 2008 post "test"."""
    target = Post.objects.published().filter(slug=slug).first()
    if target is None:
        moved = SlugRedirect.objects.filter(old_slug=slug).select_related("post").first()
        target = moved.post if moved is not None and moved.post.is_public else None
    if target is None or not _in_month(target, year, month):
        raise PostNotFound(request.path)
    return HttpResponsePermanentRedirect(target.get_absolute_url())


def _in_month(post: Post, year: str, month: str) -> bool:
    local = timezone.localtime(post.published_at)
    return (local.year, local.month) == (int(year), int(month))


@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "blog/about.html",
        {"canonical_path": request.path, "feeds": seo.site_feeds()},
    )


@reading_only
def search(request: HttpRequest) -> HttpResponse:
    # Shown back in the page (title, field, heading), where HTML forbids control characters.
    query = xml_safe(request.GET.get("q", ""))[:500]
    results = post_search.search_posts(query) if query.strip() else post_search.NO_RESULTS
    current = _page(results, request.GET.get("page"), SEARCH_RESULTS_PER_PAGE)
    response = render(
        request,
        "blog/search.html",
        {
            "query": query,
            "page": current,
            "feeds": seo.site_feeds(),
            **_pager(current, _query_page_url(request)),
        },
    )
    response["Cache-Control"] = "public, max-age=60"
    response["X-Robots-Tag"] = "noindex"
    return response


_XML = "application/xml; charset=utf-8"


@public_page
def sitemap(request: HttpRequest) -> HttpResponse:
    files = seo.sitemap_file_count()
    if files == 1:
        entries = seo.sitemap_entries(request)
        return render(request, "blog/sitemap.xml", {"entries": entries}, content_type=_XML)
    # More addresses than one sitemap may hold: an index of the numbered files.
    locations = [
        request.build_absolute_uri(reverse("blog:sitemap_file", kwargs={"number": number}))
        for number in range(1, files + 1)
    ]
    return render(request, "blog/sitemap_index.xml", {"locations": locations}, content_type=_XML)


@public_page
def sitemap_file(request: HttpRequest, number: int) -> HttpResponse:
    if not 1 <= number <= seo.sitemap_file_count():
        raise Http404("no such sitemap file")
    entries = seo.sitemap_entries(request, number)
    return render(request, "blog/sitemap.xml", {"entries": entries}, content_type=_XML)


@public_page
def robots(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "blog/robots.txt",
        {"sitemap_url": request.build_absolute_uri(reverse("blog:sitemap"))},
        content_type="text/plain; charset=utf-8",
    )
