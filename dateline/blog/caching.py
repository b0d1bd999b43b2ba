"""Full-page caching of the public site, correct with many processes on many machines.

A cached page is keyed by the site generation (`SiteGeneration`, one row in the database) and
the request path. Every public change bumps the generation in the same transaction as the change
(`services._bump_generation`), so the next request in any process on any machine reads the new
number and misses the old pages: nothing is invalidated per process, nothing can be served
stale. The price is one primary-key read per request. Old entries simply age out of the cache.
See docs/decisions/0042-page-cache-generation.md.

Answers carry a strong ETag (hash of the body) and Last-Modified (when the generation last
changed), answer 304 to a matching conditional GET, and a Cache-Control that lets a CDN keep
them briefly and revalidate cheaply.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from dateline.blog.services import site_generation

CACHE_ALIAS = "default"
# Browsers revalidate every time (cheap: 304); shared caches (a CDN) may serve a page for a
# few seconds before revalidating, and serve a stale copy while they do.
CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
CACHE_SECONDS = 60 * 60
# Headers worth replaying from a cached answer.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Link", "X-Robots-Tag")

View = Callable[..., HttpResponse]


def _reader_is_signed_in(request: HttpRequest) -> bool:
    # Checked by cookie, not request.user: looking at the user costs a session query, and a
    # signed-in editor may see private posts, so their pages are never cached or served cached.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def public_page(view: View) -> View:
    """Caches a GET view's 200 answers for all anonymous readers until the site changes."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or _reader_is_signed_in(request):
            response = view(request, *args, **kwargs)
            response.setdefault("Cache-Control", "private, no-cache")
            return response
        generation, changed_at = site_generation()
        last_modified = changed_at.timestamp()
        # The host is part of the key: pages carry absolute URLs (canonical, OpenGraph).
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode()
        # The change time is in the key too: should the number ever go back (a database restored
        # from a backup), pages cached under the same number before are still not reused.
        key = f"blog:page:{generation}:{last_modified}:{hashlib.sha256(address).hexdigest()}"
        cache = caches[CACHE_ALIAS]
        entry = cache.get(key)
        if entry is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            entry = _entry(response, last_modified)
            cache.set(key, entry, CACHE_SECONDS)
        content, headers = entry
        # A hit does as little as it can: the headers were worked out when the page was stored,
        # and validators are compared only when the request carries one.
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            not_modified = get_conditional_response(
                request, etag=headers["ETag"], last_modified=int(last_modified)
            )
            if not_modified is not None:
                for name in ("ETag", "Last-Modified", "Cache-Control"):
                    not_modified[name] = headers[name]
                return not_modified
        return HttpResponse(content, headers=headers)

    return wrapper


def _entry(response: HttpResponse, last_modified: float) -> tuple[bytes, dict[str, str]]:
    content = response.content
    headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
    headers["ETag"] = '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'
    headers["Last-Modified"] = http_date(last_modified)
    headers["Cache-Control"] = CACHE_CONTROL
    return content, headers
