"""The one place where Dateline's error tree becomes HTTP answers."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dateline.core.errors import Conflict, DatelineError, Forbidden, InvalidInput, NotFound

logger = logging.getLogger("dateline.http")

STATUS_BY_KIND: tuple[tuple[type[DatelineError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (InvalidInput, 400),
)


def status_for(error: DatelineError) -> int:
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


# For error answers that set no caching of their own. Without it a CDN may keep an error by its own
# rules (Fastly and Varnish keep a 404 for their default TTL, up to an hour): a post's address
# requested a moment before it was published would go on answering 404, and a 500 would outlive
# its cause.
ERROR_CACHE_CONTROL = "no-store"


class DatelineErrorMiddleware:
    """Answers a DatelineError raised by a view with a friendly page and the right status, and
    keeps every error answer out of shared and browser caches."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and not response.has_header("Cache-Control"):
            response["Cache-Control"] = ERROR_CACHE_CONTROL
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatelineError):
            return None  # a real bug: Django's 500 handling logs it and shows 500.html
        status = status_for(exception)
        logger.info("%s %s answered %s: %s", request.method, request.path, status, exception)
        return render(
            request, "error.html", {"status": status, "message": str(exception)}, status=status
        )
