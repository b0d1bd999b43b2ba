"""Plain text from stored (already sanitised) HTML, for search, feeds' summaries and meta tags."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|li|blockquote|h[1-6]|figure|tr)>|<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# What XML 1.0 forbids in a document (C0 controls but tab, newline and return; surrogates; the two
# non-characters U+FFFE and U+FFFF). HTML forbids the same controls in a page's text.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A start tag, and a link or source among its attributes (the sanitiser writes them all
# double-quoted, and escapes "<" in text, so only tags start with "<" and a letter).
_START_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster|cite)=")([^"]*)(")')
# Vertical tab and form feed are line breaks to the word processors text is pasted from.
_BREAK_CONTROLS = str.maketrans("\x0b\x0c", "  ")


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


def without_control_characters(text: str) -> str:
    """`text` with the characters no XML document (and no HTML text) may hold taken out;
    vertical tabs and form feeds become spaces, so the words on either side stay apart."""
    if not _NOT_XML_TEXT.search(text):
        return text
    return _NOT_XML_TEXT.sub("", text.translate(_BREAK_CONTROLS))


def with_absolute_links(fragment: str, base_url: str) -> str:
    """`fragment` (sanitised HTML) with every href, src, poster and cite resolved against
    `base_url`: out of the page (in a feed reader), "/2016/03/post/" means nothing."""

    def absolute(match: re.Match[str]) -> str:
        value = html.unescape(match[2])
        if not value:
            return match[0]
        return match[1] + html.escape(urljoin(base_url, value), quote=True) + match[3]

    return _START_TAG.sub(lambda tag: _LINK_ATTRIBUTE.sub(absolute, tag[0]), fragment)
