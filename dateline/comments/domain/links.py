"""Counting the links in a comment: more than the limit holds it (WordPress holds over 2)."""

from __future__ import annotations

import re

# Counted in the rendered HTML (every way Markdown makes a link ends as <a href>) and, for links
# typed bare, in the source: a bare address in text is a link a reader will copy.
_ANCHOR = re.compile(r"<a\s[^>]*href=", re.IGNORECASE)
_BARE = re.compile(r"(?<![(<\"'=])\b(?:https?://|www\.)[^\s<>()]+", re.IGNORECASE)


def count_links(source: str, html: str, *, website: str = "") -> int:
    """Links in a comment: anchors in its HTML, bare addresses left as text, and the website."""
    anchors = len(_ANCHOR.findall(html))
    text = re.sub(r"<a\s[^>]*>.*?</a>", " ", html, flags=re.IGNORECASE | re.DOTALL)
    bare = len(_BARE.findall(text)) if html else len(_BARE.findall(source))
    return anchors + bare + (1 if website else 0)
