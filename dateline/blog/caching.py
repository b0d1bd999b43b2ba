"""Full-page caching of the public site, shared by every process, correct on many machines.

Two halves (docs/decisions/0066-shared-page-cache-and-fast-path.md):

- `public_page`, around each public view, reads the generations the page depends on *before*
  the view reads any data (`generations.current`: the shared cache, no database read), gives
  the answer its validators, and marks the request so the answer is stored under them.
- `PageCacheMiddleware`, placed before the sessions, CSRF, auth and messages middleware,
  stores the marked answer with every header it left the inner middleware with, and answers
  later GET and HEAD requests for the same address from it while its generations are still
  current: one cache read for the page and one for its generations. A hit therefore carries
  exactly the headers a miss carried (the outer middleware adds the same ones to both).

The key holds the release (`release.tag`: the cache outlives a restart), scheme, host (validated
against ALLOWED_HOSTS first) and full path. Only readers without a session cookie are served
from or stored into the cache (staff may see private posts). Answers carry a strong ETag (hash
of the body) and Last-Modified (when a generation the page depends on last changed), and
conditional GETs get 304 whichever process answers.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.csrf import csrf_exempt

from dateline.blog import generations, hooks, release

logger = logging.getLogger(__name__)

CACHE_ALIAS = generations.CACHE_ALIAS
# Browsers revalidate every time (cheap: 304); shared caches (a CDN) may serve a page for a
# few seconds before revalidating, and serve a stale copy while they do.
CACHE_CONTROL = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
CACHE_SECONDS = 60 * 60
# What public pages take. TRACE (it would echo the request, cookies included) and every other
# method get 405; OPTIONS is answered without rendering.
READING_METHODS = ("GET", "HEAD")
ALLOW = "GET, HEAD, OPTIONS"
# Set by public_page in request.META (the WSGI environ): the generations the page was
# rendered under. The middleware stores only answers that carry it.
_RENDERED_UNDER = "dateline.page_cache.generations"
# Not replayed on a 304: they describe a body the 304 does not have.
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-language"})

View = Callable[..., HttpResponse]
DependsOn = Callable[[dict[str, Any]], str]


def _reader_is_signed_in(request: HttpRequest) -> bool:
    # Checked by cookie, not request.user: looking at the user costs a session query, and a
    # signed-in editor may see private posts, so their pages are never cached or served cached.
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def reading_only(view: View) -> View:
    """A public page takes GET and HEAD; OPTIONS says so without rendering, anything else
    (TRACE, POST, ...) gets 405 with Allow."""

    # Exempt from CSRF checks, which only guard views that act on a POST: this one refuses
    # it, and should say 405, not 403.
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method in READING_METHODS:
            return view(request, *args, **kwargs)
        if request.method == "OPTIONS":
            response = HttpResponse(status=200)
            response["Allow"] = ALLOW
            response["Content-Length"] = "0"
            response["Cache-Control"] = "no-store"
            return response
        refused = HttpResponseNotAllowed(ALLOW.split(", "))
        refused["Cache-Control"] = "no-store"
        return refused

    return wrapper


def _listings(kwargs: dict[str, Any]) -> str:
    return generations.LISTINGS


def public_page(view: View | None = None, *, depends_on: DependsOn = _listings) -> Any:
    """Caches a view's 200 answers for all anonymous readers until what they show changes.

    `depends_on(kwargs)` names the generation besides the site's that the page follows: the
    listings by default, `generations.post_page(slug)` for a post's page."""

    def decorate(view: View) -> View:
        @reading_only
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if _reader_is_signed_in(request):
                response = view(request, *args, **kwargs)
                response.setdefault("Cache-Control", "private, no-cache")
                return response
            names = (generations.SITE, depends_on(kwargs))
            # Read before the view reads its data: a change committed meanwhile then moves the
            # generation past the one stored with this answer, and the answer is not reused.
            tokens = generations.current(names)
            request.META[_RENDERED_UNDER] = (names, tokens)
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                request.META.pop(_RENDERED_UNDER, None)
                return response
            response["ETag"] = (
                '"' + hashlib.blake2b(response.content, digest_size=16).hexdigest() + '"'
            )
            response["Last-Modified"] = http_date(max(changed for _, changed in tokens))
            response["Cache-Control"] = CACHE_CONTROL
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def rendered_under(request: HttpRequest) -> str | None:
    """For a view under `public_page`: a text naming the generations its page is rendered
    under (None for a reader the cache does not serve), for keys of what the view may keep
    in the shared cache meanwhile, such as a listing's count."""
    found = request.META.get(_RENDERED_UNDER)
    return None if found is None else f"{release.tag()}:{found}"


# An entry: the generations' names and tokens it was rendered under, the status line's code,
# every header as the inner middleware left them, and the body.
Entry = tuple[tuple[str, ...], tuple[generations.Token, ...], int, list[tuple[str, str]], bytes]


def page_key(request: HttpRequest) -> str | None:
    """The cache key of the address asked for, or None when the host is not one of ours (Django
    then answers 400 as usual: the key must never hold a host a client made up)."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    address = f"{request.scheme}://{host}{request.get_full_path()}"
    digest = hashlib.blake2b(address.encode(), digest_size=20).hexdigest()
    return f"page:{release.tag()}:{digest}"


class PageCacheMiddleware:
    """Answers cached pages and stores new ones. It comes first in MIDDLEWARE, so what it
    stores carries every header the stack adds, and what it answers needs no other middleware.

    First the handlers registered with `hooks.register_before_page_cache` run (old-address
    redirects of imported blogs): each sees every GET and HEAD and answers or passes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in READING_METHODS:
            return self.get_response(request)
        for handler in hooks.before_page_cache():
            answer = handler(request)
            if answer is not None:
                return answer
        key = _cacheable_key(request)
        if key is None:
            return self.get_response(request)
        hit = _cached(request, key)
        if hit is not None:
            return hit
        response = self.get_response(request)
        rendered_under = request.META.pop(_RENDERED_UNDER, None)
        if (
            rendered_under is None
            or response.status_code != 200
            or response.streaming
            or response.cookies  # set for this reader only
        ):
            return response
        names, tokens = rendered_under
        entry = (names, tokens, response.status_code, list(response.items()), response.content)
        try:
            caches[CACHE_ALIAS].set(key, entry, CACHE_SECONDS)
        except Exception:  # a cache that is down costs speed, never the page
            logger.warning("could not store a page in the cache", exc_info=True)
        return _answer(request, *entry[2:])


class FastPath:
    """The WSGI application around Django's (dateline/wsgi.py): a cached page is answered
    before Django's request handling starts at all, with the very headers and bytes the
    middleware above stored. Anything else, and anything that goes wrong here, goes to Django.
    """

    def __init__(self, application: Any) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") not in READING_METHODS:
            return self.application(environ, start_response)
        try:
            hit = self._hit(WSGIRequest(environ))
        except Exception:
            logger.warning("the page cache's fast path failed; Django answers", exc_info=True)
            hit = None
        if hit is None:
            return self.application(environ, start_response)
        start_response(f"{hit.status_code} {hit.reason_phrase}", list(hit.items()))
        return [hit.content]

    @staticmethod
    def _hit(request: WSGIRequest) -> HttpResponse | None:
        if any(handler(request) is not None for handler in hooks.before_page_cache()):
            return None  # Django runs them again and sends their answer
        key = _cacheable_key(request)
        return None if key is None else _cached(request, key)


def _cacheable_key(request: HttpRequest) -> str | None:
    """The page's key when this reader may be served from the cache, else None."""
    if _reader_is_signed_in(request) or request.path_info.startswith(settings.STATIC_URL):
        return None
    return page_key(request)


def _cached(request: HttpRequest, key: str) -> HttpResponse | None:
    """The cached answer under `key` if its generations are still current."""
    entry = _read(caches[CACHE_ALIAS], key)
    if entry is None:
        return None
    names, tokens, status, headers, body = entry
    if generations.current(names) != tokens:
        return None
    return _answer(request, status, headers, body)


def _read(cache: Any, key: str) -> Entry | None:
    try:
        entry: Entry | None = cache.get(key)
    except Exception:
        logger.warning("could not read the page cache", exc_info=True)
        return None
    return entry


def _answer(
    request: HttpRequest, status: int, headers: list[tuple[str, str]], body: bytes
) -> HttpResponse:
    """The stored answer, or 304 when the request's validators match it: the same for a hit as
    for the miss that stored it."""
    found = dict((name.lower(), value) for name, value in headers)
    if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
        last_modified = found.get("last-modified")
        not_modified = get_conditional_response(
            request,
            etag=found.get("etag"),
            last_modified=parse_http_date_safe(last_modified) if last_modified else None,
        )
        if not_modified is not None and not_modified.status_code == 304:
            answer = HttpResponse(status=304)
            del answer["Content-Type"]
            for name, value in headers:
                if name.lower() not in _BODY_HEADERS:
                    answer[name] = value
            return answer
    # A HEAD answer has the GET's headers, Content-Length included, and no body.
    answer = HttpResponse(b"" if request.method == "HEAD" else body, status=status)
    for name, value in headers:
        answer[name] = value
    return answer
