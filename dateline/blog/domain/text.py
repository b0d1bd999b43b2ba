"""Plain text from stored (already sanitised) HTML, for search, feeds' summaries and meta tags."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|li|blockquote|h[1-6]|figure|tr)>|<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def html_to_text(fragment: str) -> str:
    """Text of a sanitised fragment, with one space where blocks or lines ended."""
    text = _BLOCK_END.sub(" ", fragment or "")
    text = _TAG.sub("", text)
    return _SPACE.sub(" ", html.unescape(text)).strip()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"
