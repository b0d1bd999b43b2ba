"""Plain text from stored (already sanitised) HTML, for search, feeds' summaries and meta tags."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|li|blockquote|h[1-6]|figure|tr)>|<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# What XML 1.0 cannot carry at all, not even as a character reference: the C0 controls but tab, LF
# and CR, lone surrogates, U+FFFE and U+FFFF. One of them in a stored post makes the Atom and RSS
# feeds unwritable (and a real reader refuses the document). Vertical tab and form feed (Word's
# line and page breaks) stand between words, so `xml_safe` makes them spaces; the rest carry no
# text.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS_NOT_IN_XML = re.compile("[\x0b\x0c]")


def html_to_text(fragment: str) -> str:
    """Text of a sanitised fragment, with one space where blocks or lines ended."""
    text = _BLOCK_END.sub(" ", fragment or "")
    text = _TAG.sub("", text)
    return _SPACE.sub(" ", html.unescape(text)).strip()


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids, so every feed out can carry it."""
    return NOT_IN_XML.sub("", _BREAKS_NOT_IN_XML.sub(" ", text))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"
