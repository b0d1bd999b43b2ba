"""Old addresses: the path (and WordPress's id query) a post answered at on its source blog."""

from __future__ import annotations

from urllib.parse import urlsplit


def path_of(url: str, base_path: str = "") -> str:
    """The part of `url` after the blog's own address: "http://x.blogspot.com/2009/01/a.html"
    gives "/2009/01/a.html"; a blog installed under /blog/ (`base_path`) is cut off that."""
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    path = parts.path or "/"
    base = base_path.rstrip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :] or "/"
    if not path.startswith("/"):
        return ""
    return f"{path}?{parts.query}" if parts.query and path == "/" else path
