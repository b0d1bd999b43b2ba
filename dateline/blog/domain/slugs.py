"""Slugs for post URLs: readable, stable, unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

MAX_SLUG_LENGTH = 120
_NOT_WORD = re.compile(r"[^\w\s-]", re.UNICODE)
_SEPARATORS = re.compile(r"[-\s_]+")


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; letters of every script are kept (Arabic, Cyrillic)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _NOT_WORD.sub("", text)
    slug = _SEPARATORS.sub("-", text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0] or slug[:MAX_SLUG_LENGTH]
    return slug or "post"


def unique_slug(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is first not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
