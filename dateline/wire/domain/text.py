"""Small pure helpers for feed text: spotting HTML, fixing HTML entities in XML, people's names.

Kept apart from the XML adapter so they can be tested (and property-tested) without lxml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import html5, name2codepoint

from dateline.wire.domain.records import Person

# The five entities XML itself defines; any other named entity is an error in XML.
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
# What an ill-formed feed writes where XML needs a reference: "&#X41;" and bare "&" in URLs.
_UPPERCASE_HEX_REFERENCE = re.compile(r"&#X([0-9a-fA-F]{1,6});")
_BARE_AMPERSAND = re.compile(r"&(?!#\d{1,7};|#x[0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)")
_CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.DOTALL)
# A DOCTYPE in the prolog only: after the XML declaration, comments and PIs, before the root.
_DOCTYPE = re.compile(
    r"\A(?:\s|<\?.*?\?>|<!--.*?-->)*(<!DOCTYPE\s[^\[>]*(?:\[.*?\]\s*)?>)",
    re.DOTALL | re.IGNORECASE,
)

_HTML_CLOSING_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9]*)\s*>|<(br|hr|img)\b[^>]*>", re.IGNORECASE)
_HTML_REFERENCE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_COMMON_HTML_TAGS = frozenset(
    "a abbr acronym address b big blockquote br center cite code dd del dfn div dl dt em font "
    "h1 h2 h3 h4 h5 h6 hr i img ins kbd li ol p pre q s samp small span strike strong sub sup "
    "table tbody td tfoot th thead tr tt u ul var".split()
)

# Control characters a terminal acts on (ESC starts its escape sequences; C1 has CSI too).
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def looks_like_html(text: str) -> bool:
    """Whether text a format calls plain is in fact HTML (RSS titles often are)."""
    if "<" not in text and "&" not in text:
        return False
    for match in _HTML_CLOSING_TAG.finditer(text):
        tag = (match.group(1) or match.group(2)).lower()
        if tag in _COMMON_HTML_TAGS:
            return True
    return any(
        match.group(1)[0] == "#" or match.group(1) + ";" in html5
        for match in _HTML_REFERENCE.finditer(text)
    )


# Longest character reference a cut could split ("&CounterClockwiseContourIntegral;" is 33).
_LONGEST_REFERENCE = 40
# How far back a cut looks for a space, so it does not split a word.
_WORD_BACKOFF = 200


def cut_markup(markup: str, limit: int) -> str:
    """At most `limit` characters: the start of `markup` and "…", cut between tags and words.

    Never inside a tag or a character reference (it backs off to before their start); elements
    left open are closed by the sanitiser, which parses what is left, so the stored HTML is
    whole. Markup that fits is returned as it is.
    """
    if len(markup) <= limit:
        return markup
    cut = markup[: limit - 1]  # and room for the "…"
    tag_start = cut.rfind("<")
    if tag_start > cut.rfind(">"):
        cut = cut[:tag_start]
    reference = cut.rfind("&")
    if reference >= 0 and ";" not in cut[reference:] and len(cut) - reference <= _LONGEST_REFERENCE:
        cut = cut[:reference]
    if markup[len(cut)].isalnum():
        space = max(cut.rfind(" "), cut.rfind("\n"))
        if space > max(cut.rfind(">"), len(cut) - _WORD_BACKOFF):
            cut = cut[: space + 1]
    return cut + "\u2026"


def terminal_safe(text: str) -> str:
    """Feed text fit to print on an editor's terminal: control characters shown, not obeyed.

    A feed titled "\\x1b]0;...\\x07" would otherwise retitle the window, clear the screen or
    rewrite earlier lines of `dateline parse` and `dateline feeds list`.
    """
    return _TERMINAL_CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


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


def _repair_references(text: str, entities: dict[str, str]) -> str:
    if entities:
        text = _NAMED_ENTITY.sub(lambda match: entities.get(match.group(1), match.group(0)), text)
    text = _NAMED_ENTITY.sub(_numeric_reference, text)
    text = _UPPERCASE_HEX_REFERENCE.sub(r"&#x\1;", text)
    return _BARE_AMPERSAND.sub("&amp;", text)


def replace_known_html_entities(document: str) -> str:
    """Only HTML's named entities (``&eacute;``) as numeric references, outside CDATA.

    What a DTD that Dateline does not read (the Netscape RSS 0.91 one) declares: a document
    that needs nothing more is well-formed (see xml/tree.py). Names HTML does not know stay.
    """

    def known(match: re.Match[str]) -> str:
        name = match.group(1)
        return match.group(0) if name not in name2codepoint else _numeric_reference(match)

    return _outside_cdata(document, lambda text: _NAMED_ENTITY.sub(known, text))


def replace_html_entities(document: str, entities: dict[str, str] | None = None) -> str:
    """Rewrites what HTML allows and XML does not into XML references.

    HTML named entities (``&nbsp;``) become numeric references, ``&#X41;`` becomes ``&#x41;``
    and a bare ``&`` (an unescaped URL query) becomes ``&amp;``. ``entities`` are the
    document's own simple entity declarations, substituted first. CDATA sections are left
    alone: their text is already literal.
    """
    table = entities or {}
    return _outside_cdata(document, lambda text: _repair_references(text, table))


def _outside_cdata(document: str, repair: Callable[[str], str]) -> str:
    """``document`` with ``repair`` applied to its text outside CDATA sections."""
    parts: list[str] = []
    position = 0
    for cdata in _CDATA.finditer(document):
        parts.append(repair(document[position : cdata.start()]))
        parts.append(cdata.group(0))
        position = cdata.end()
    parts.append(repair(document[position:]))
    return "".join(parts)


_ENTITY_DECLARATION = re.compile(
    r"<!ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(\"([^\"]*)\"|'([^']*)')\s*>"
)


def declared_entities(doctype: str) -> dict[str, str]:
    """The simple text entities a DOCTYPE's internal subset declares, as XML-escaped text.

    Only literal values are taken: a value that refers to other entities or contains markup
    is ignored, so no declaration can expand into more than its own few characters.
    """
    found: dict[str, str] = {}
    for match in _ENTITY_DECLARATION.finditer(doctype):
        value = match.group(3) if match.group(3) is not None else match.group(4)
        if len(value) > 1000 or any(character in value for character in "&%<"):
            continue
        found[match.group(1)] = value.replace(">", "&gt;")
    return found


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
    return document[: match.start(1)] + document[match.end(1) :], match.group(1)


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


# C1 control characters (U+0080-U+009F) never belong in feed text. When they appear, either
# UTF-8 was decoded as Latin-1 somewhere upstream ("â\x80¦" for "…") or Windows-1252 bytes
# (curly quotes, dashes) were pasted into Unicode text ("don\x92t").
_C1_CONTROL = re.compile("[\x80-\x9f]")
_MOJIBAKE = re.compile("[\xc2-\xf4][\x80-\xbf]{1,3}")
_C1_TO_WINDOWS_1252 = {
    code: bytes([code]).decode("windows-1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _undo_mojibake(match: re.Match[str]) -> str:
    sequence = match.group(0)
    if _C1_CONTROL.search(sequence) is None:
        return sequence  # "Ã©" can be real text; only sequences with a C1 character are not
    try:
        return sequence.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return sequence


def repair_text(text: str) -> str:
    """Repairs the two common kinds of C1-control damage; other text is returned unchanged."""
    if _C1_CONTROL.search(text) is None:
        return text
    text = _MOJIBAKE.sub(_undo_mojibake, text)
    return text.translate(_C1_TO_WINDOWS_1252)
