"""The benchmark's peer: a view that answers with a page's bytes held as a constant, doing no
work at all. bench/serve.py serves it twice: behind Dateline's own stack (serve_urls.py) and
alone in a minimal settings module (constant_settings.py), the best case for Django.

bench/serve.py captures the real page once and writes its bytes to $BENCH_CONSTANT_DIR/<name>.html
before it measures the peer.
"""

import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

_bodies: dict[str, bytes] = {}


def constant(request: HttpRequest, name: str) -> HttpResponse:
    body = _bodies.get(name)
    if body is None:
        body = Path(os.environ["BENCH_CONSTANT_DIR"], f"{name}.html").read_bytes()
        _bodies[name] = body
    return HttpResponse(body, content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/constant/<str:name>/", constant)]
