"""A comment's body as pages show it: Markdown or imported HTML, always through the comment policy.

Markup is never a reason to hold or refuse a comment: hostile markup comes out inert here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from dateline.comments.adapters import markdown
from dateline.core.sanitize import COMMENT, sanitize_html


def render_markdown(source: str) -> str:
    return sanitize_html(markdown.render(source), COMMENT).strip() if source else ""


def render_html(html: str) -> str:
    return sanitize_html(html, COMMENT).strip() if html else ""


def safe_website(url: str) -> str:
    """The commenter's website if it is an http(s) address, else empty: the name links to it, and
    a `javascript:` link under a reader's name would run in the next reader's browser."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url
