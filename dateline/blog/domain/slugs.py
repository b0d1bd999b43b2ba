"""Slugs for post URLs: readable, stable, unique."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

from dateline.blog.domain.words import MARKS

MAX_SLUG_LENGTH = 120
# What a slug drops: all but letters, digits, the marks that complete them (domain.words: the
# vowel signs of Hindi or Tamil), spaces and hyphens; and a mark that follows no letter.
_NOT_WORD = re.compile(rf"[^\w\s{MARKS}-]|(?<![\w{MARKS}])[{MARKS}]+")
_SEPARATORS = re.compile(r"[-\s_]+")
_SLUG = re.compile(rf"[-\w][-\w{MARKS}]*")  # a mark completes a letter: none comes first


def is_slug(text: str) -> bool:
    """Whether `text` can be a slug `slugify` wrote (composed, NFC): the address converters'
    test, so nothing else (a NUL byte, a dot, a slash) reaches the database."""
    return _SLUG.fullmatch(text) is not None


def slugify(text: str) -> str:
    """Lower-case words joined by hyphens; letters of every script are kept (Arabic, Cyrillic,
    Devanagari with its vowel signs)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _NOT_WORD.sub("", text)
    slug = _SEPARATORS.sub("-", text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0] or slug[:MAX_SLUG_LENGTH]
    if not slug:
        return "post"
    # All-digit slugs would read as a day in /YYYY/MM/DD/ archive URLs.
    return f"post-{slug}" if slug.isdigit() else slug


def unique_slug(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is first not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
