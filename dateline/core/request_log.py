"""What the server's error log says about a request that failed.

Django logs every unhandled exception of a view or middleware to the `django.request` logger, with
its traceback and the request attached (`settings.LOGGING` sends it to stderr, the server's error
log, in every environment). This filter names the request by its method and path only: its body,
query string and cookies can hold passwords, tokens and readers' details, and stay out of logs.
"""

from __future__ import annotations

import logging


class RequestLine(logging.Filter):
    """Adds ``request_line`` ("GET /2026/05/a-post/", or "-") to each record, for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        method = getattr(request, "method", None)
        path = getattr(request, "path", None)
        if isinstance(method, str) and isinstance(path, str):
            # Escaped as Django escapes the path in the message: a decoded %0A in a path would
            # otherwise start a forged line in the log.
            line = f"{method} {path}".encode("unicode_escape").decode("ascii")
        else:
            line = "-"
        record.request_line = line
        return True
