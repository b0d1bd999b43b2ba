"""Text helpers for posts: XML-safe values, shortened summaries, absolute links in feeds.

The words of stored HTML come from ``core.markup_text``, the rule the wire and stories use too.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from dateline.core.xml_text import NOT_IN_XML

# One character XML forbids (core.xml_text) in a stored post makes the Atom and RSS feeds
# unwritable (and a real reader refuses the document). Vertical tab and form feed (Word's line and
# page breaks) stand between words, so `xml_safe` makes them spaces; the rest carry no text.
_BREAK_CONTROLS = str.maketrans("\x0b\x0c", "  ")
# A start tag, and a link or source among its attributes (the sanitiser writes them all
# double-quoted, and escapes "<" in text, so only tags start with "<" and a letter).
_START_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster|cite)=")([^"]*)(")')


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 (and HTML text) forbids, so every feed out and every
    page can carry it; vertical tabs and form feeds become spaces, keeping the words apart."""
    if not NOT_IN_XML.search(text):
        return text
    return NOT_IN_XML.sub("", text.translate(_BREAK_CONTROLS))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def with_absolute_links(fragment: str, base_url: str) -> str:
    """`fragment` (sanitised HTML) with every href, src, poster and cite resolved against
    `base_url`: out of the page (in a feed reader), "/2016/03/post/" means nothing."""

    def absolute(match: re.Match[str]) -> str:
        value = html.unescape(match[2])
        if not value:
            return match[0]
        return match[1] + html.escape(urljoin(base_url, value), quote=True) + match[3]

    return _START_TAG.sub(lambda tag: _LINK_ATTRIBUTE.sub(absolute, tag[0]), fragment)
