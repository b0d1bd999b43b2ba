"""Old addresses of imported posts answer 301 to their new ones, before the page cache.

Only two kinds of request are looked up: addresses shaped like an old one that Dateline could
otherwise serve itself (`/?p=12`, `/2009/01/name.html`; see `domain.old_addresses`), and
requests that found nothing (a 404: `/2009/01/15/slug/`, `/parent/child/`). A page served from
the cache costs no database read for it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from dateline.blog.domain.old_addresses import may_be_old_address
from dateline.blog.services import old_address_redirect


class OldAddressMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reading = request.method in ("GET", "HEAD")
        query = request.META.get("QUERY_STRING", "")
        if reading and may_be_old_address(request.path, query):
            moved = old_address_redirect(request.path, query)
            if moved is not None:
                return HttpResponsePermanentRedirect(moved)
        response = self.get_response(request)
        if reading and response.status_code == 404:
            moved = old_address_redirect(request.path, query)
            if moved is not None:
                return HttpResponsePermanentRedirect(moved)
        return response
