"""The addresses an imported blog's posts and pages had (Blogger's /2009/01/name.html,
WordPress's /2009/01/15/slug/, /?p=12, /?page_id=3, a page's /parent/child/), as keys to look up.

A key is the path without its trailing slash (a reader may type either) plus, for the root
address only, the query parameter WordPress's plain links use (`/?p=12`). Other query
parameters (Blogger's ?m=1 for phones, trackers) are not part of an old address.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote

# WordPress's plain permalinks: a post, a page, an attachment.
ID_PARAMETERS = ("p", "page_id", "attachment_id")
MAX_KEY = 1000
# No address holds a control character (PostgreSQL refuses a query with a NUL: /label/%00/).
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def address_key(path: str, query: str = "") -> str | None:
    """The key `path` and `query` are stored and looked up under; None when they cannot be an
    old address (no path, too long, or the root without a post's id)."""
    if not path.startswith("/") or len(path) > MAX_KEY:
        return None
    path = unquote(path)
    if _CONTROL.search(path):
        return None
    if path in ("/", "/index.php"):
        return _id_key(query)
    trimmed = path.rstrip("/")
    return trimmed or None


def may_be_old_address(path: str, query: str) -> bool:
    """Whether an address Dateline could serve itself might instead be an imported one: the root
    with a WordPress id, or a Blogger-style `.html` name. Everything else an old address can be
    is no Dateline address and reaches the blog's not-found route, which looks it up there. So a
    page served from cache pays nothing for the redirects."""
    if path in ("/", "/index.php"):
        return bool(query) and _id_key(query) is not None
    return path.endswith(".html")


def _id_key(query: str) -> str | None:
    for name, value in parse_qsl(query, keep_blank_values=False):
        if name in ID_PARAMETERS and value.isdigit() and len(value) <= 20:
            return f"/?{name}={int(value)}"
    return None
