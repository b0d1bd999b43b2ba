"""Friendly error pages. They must not touch the database: they also serve when it is down."""

from django.http import HttpRequest, HttpResponse
from django.template import loader


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    body = loader.render_to_string("404.html", {"path": request.path}, request)
    return HttpResponse(body, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: context processors could fail the same way the view did.
    body = loader.render_to_string("500.html")
    return HttpResponse(body, status=500)
