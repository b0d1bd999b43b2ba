"""Small pure helpers for feed text: spotting HTML, fixing HTML entities in XML, people's names.

Kept apart from the XML adapter so they can be tested (and property-tested) without lxml.
"""

from __future__ import annotations

import re
from html.entities import html5, name2codepoint

from dateline.wire.domain.records import Person

# The five entities XML itself defines; any other named entity is an error in XML.
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)

_HTML_CLOSING_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9]*)\s*>|<(br|hr|img)\b[^>]*>", re.IGNORECASE)
_HTML_REFERENCE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_COMMON_HTML_TAGS = frozenset(
    "a abbr acronym address b big blockquote br center cite code dd del dfn div dl dt em font "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li ol p pre q s samp small span strike strong sub sup "
    "table tbody td tfoot th thead tr tt u ul var".split()
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def looks_like_html(text: str) -> bool:
    """Whether text a format calls plain is in fact HTML (RSS titles often are)."""
    if "<" not in text and "&" not in text:
        return False
    for match in _HTML_CLOSING_TAG.finditer(text):
        tag = (match.group(1) or match.group(2)).lower()
        if tag in _COMMON_HTML_TAGS:
            return True
    return _HTML_REFERENCE.search(text) is not None


def _numeric_reference(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    codepoint = name2codepoint.get(name)
    if codepoint is not None:
        return f"&#{codepoint};"
    characters = html5.get(name + ";")
    if characters is not None:
        return "".join(f"&#{ord(character)};" for character in characters)
    # Unknown everywhere: keep it visible as text rather than losing it.
    return f"&amp;{name};"


def replace_html_entities(document: str) -> str:
    """Rewrites HTML named entities (``&nbsp;``) as numeric references XML understands.

    CDATA sections are left alone: their text is already literal.
    """
    parts: list[str] = []
    position = 0
    for cdata in _CDATA.finditer(document):
        parts.append(_NAMED_ENTITY.sub(_numeric_reference, document[position : cdata.start()]))
        parts.append(cdata.group(0))
        position = cdata.end()
    parts.append(_NAMED_ENTITY.sub(_numeric_reference, document[position:]))
    return "".join(parts)


def strip_doctype(document: str) -> tuple[str, str | None]:
    """Removes a DOCTYPE (and its internal subset) from the document's prolog.

    Feeds' DOCTYPEs only ever point at DTDs nobody should fetch, and internal subsets are how
    entity-expansion bombs are built, so Dateline reads no DTD at all. Returns the document and
    the DOCTYPE text that was removed (the Netscape RSS 0.91 one names the dialect).
    """
    head = document[:4096]
    match = _DOCTYPE.search(head)
    if match is None:
        return document, None
    return document[: match.start()] + document[match.end() :], match.group(0)


def person_from_text(text: str) -> Person:
    """Reads an RSS-style author: "jo@example.com (Jo Bloggs)", "Jo Bloggs <jo@...>", "Jo"."""
    text = text.strip()
    match = _EMAIL.search(text)
    if match is None:
        return Person(name=text or None)
    email = match.group(0)
    rest = (text[: match.start()] + text[match.end() :]).strip()
    rest = rest.replace("mailto:", "").strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    rest = rest.strip("<>()[] ").strip()
    return Person(name=rest or None, email=email)
