"""Reading the document into a tree, mending what breaks lxml, and naming its format.

The document is parsed strictly first; if that fails because of HTML entities, they are
rewritten as numeric references and the document is parsed strictly again; if it still fails,
lxml's recovering parser reads what it can, after the repairs below. Either way the caller gets
a warning saying why, and the feed is flagged (``well_formed=False``).
"""

from __future__ import annotations

import bisect
import re

from lxml import etree

from dateline.wire.adapters.xml.namespaces import ATOM03, ATOM10, local_name
from dateline.wire.domain.text import (
    declared_entities,
    replace_html_entities,
    replace_known_html_entities,
    strip_doctype,
)
from dateline.wire.exceptions import ParseError

STRICT = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
)
_RECOVERING = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, load_dtd=False, remove_pis=True
)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_tree(text: str, base_url: str | None) -> tuple[etree._Element, list[str], str]:
    """Parses the document: strictly, then with entities fixed, then recovering."""
    declaration = _DECLARATION.match(text)
    if declaration is not None:  # it may name the encoding the text was decoded from
        text = text[declaration.end() :]
    text, doctype = strip_doctype(text)
    warnings: list[str] = []
    entities = declared_entities(doctype) if doctype else {}
    if entities:
        # The document's own entity declarations are XML; using them is not a repair.
        text = _expand_declared(text, entities)
    data = text.encode("utf-8")
    try:
        root = etree.fromstring(data, STRICT, base_url=base_url)
    except etree.XMLSyntaxError as strict_error:
        error = strict_error
    else:
        return root, warnings, doctype or ""
    if "&" in text and _may_declare_more_entities(doctype, declaration):
        with_known = replace_known_html_entities(text)
        if with_known != text:
            try:
                root = etree.fromstring(with_known.encode("utf-8"), STRICT, base_url=base_url)
            except etree.XMLSyntaxError:
                pass  # more than entities the DTD may declare: on to the repairs below
            else:
                return root, warnings, doctype or ""
    if "&" in text:
        fixed = replace_html_entities(text)
        if fixed != text:
            data = fixed.encode("utf-8")
            try:
                root = etree.fromstring(data, STRICT, base_url=base_url)
            except etree.XMLSyntaxError as second_error:
                error = second_error
            else:
                warnings.append("HTML entities used in XML (not defined there): read as HTML")
                return root, warnings, doctype or ""
    warnings.append(f"not well-formed XML: {_describe(error)}")
    data = _repair_markup(data.decode("utf-8")).encode("utf-8")
    try:
        recovered = etree.fromstring(data, _RECOVERING, base_url=base_url)
    except etree.XMLSyntaxError as fatal:
        raise ParseError("not readable as XML", _describe(fatal)) from fatal
    if recovered is None:
        raise ParseError("not readable as XML", _describe(error)) from error
    if isinstance(recovered.tag, str) and not _closes_its_root(text, local_name(recovered.tag)):
        warnings.append("the document ends early (truncated?): read what came before the break")
    return recovered, warnings, doctype or ""


# A DOCTYPE naming an external DTD (<!DOCTYPE rss PUBLIC "..." "...">), and a declaration
# saying the document needs none (standalone="yes").
_EXTERNAL_DTD = re.compile(r"<!DOCTYPE\s+[^\s\[>]+\s+(?:PUBLIC|SYSTEM)[\s\"']", re.IGNORECASE)
_STANDALONE = re.compile(r"\bstandalone\s*=\s*[\"']yes[\"']")


def _may_declare_more_entities(doctype: str | None, declaration: re.Match[str] | None) -> bool:
    """Whether the document names a DTD that may declare entities Dateline does not read.

    XML 1.0 (4.1, WFC: Entity Declared) makes a reference to an undeclared entity break
    well-formedness only where there is no external DTD or the document is standalone. The
    Netscape RSS 0.91 DTD declares HTML's Latin-1 entities, so ``&eacute;`` there is well-formed
    XML, read as HTML reads it (and a name HTML does not know is still flagged).
    """
    if not doctype or _EXTERNAL_DTD.match(doctype) is None:
        return False
    return declaration is None or _STANDALONE.search(declaration.group(0)) is None


def _closes_its_root(text: str, root_local: str) -> bool:
    """Whether the document closes its root element anywhere: a truncated one never does.

    Not only at its very end: a server's banner or a second document after the close is a fault
    of its own, which the not-well-formed warning already names; the feed itself is whole.
    """
    closing = re.compile(r"</(?:[\w.-]+:)?" + re.escape(root_local) + r"\s*>", re.IGNORECASE)
    return closing.search(text) is not None


_COMMENT_OR_CDATA = re.compile(r"(<!--.*?-->|<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_STRAY_DECLARATION = re.compile(r"<\?xml\b.*?\?>", re.DOTALL)
# A start tag's attributes so far (quoted values, or unquoted ones already seen), then one
# attribute whose value has no quotes. Values are skipped whole, so "=" inside one never counts.
_UNQUOTED_ATTRIBUTE = re.compile(
    r"(<[A-Za-z][\w:.-]*(?:\s+[\w:.-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>=]+))?)*?"
    r"\s+[\w:.-]+)\s*=\s*([^\s\"'<>=]+)"
)


_CHARACTER_REFERENCE = re.compile(r"&#(?:([0-9]{1,8})|[xX]([0-9a-fA-F]{1,8}));")


def _xml_character_or_replacement(match: re.Match[str]) -> str:
    """A reference to a character XML forbids (NUL, a surrogate, U+FFFE) as U+FFFD: libxml2's
    recovery would otherwise keep bytes no reader can decode."""
    decimal, hexadecimal = match.groups()
    number = int(decimal) if decimal else int(hexadecimal, 16)
    allowed = (
        number in (0x9, 0xA, 0xD)
        or 0x20 <= number <= 0xD7FF
        or 0xE000 <= number <= 0xFFFD
        or 0x10000 <= number <= 0x10FFFF
    )
    return match.group(0) if allowed else "\ufffd"


def _repair_markup(text: str) -> str:
    """Mends breakages lxml's recovery cannot read past, outside comments and CDATA: an XML
    declaration not at the start (a doubled or mangled one) and an attribute value without
    quotes (``version=2.0``), either of which makes libxml2 drop the rest of the document,
    references to characters XML forbids, and HTML left unescaped and broken in a description
    (``<description>... <b>March</description>``), which swallows the rest of its item."""
    if "<?xml" not in text and "=" not in text and "&#" not in text and "<description" not in text:
        return text
    parts = _COMMENT_OR_CDATA.split(text)
    for index in range(0, len(parts), 2):  # even parts are outside comments and CDATA
        part = _STRAY_DECLARATION.sub("", parts[index])
        if "<" in part:
            part = _broken_html_as_cdata(part)
        if "&#" in part:
            part = _CHARACTER_REFERENCE.sub(_xml_character_or_replacement, part)
        for _ in range(8):  # one unquoted value per tag each pass; tags rarely have more
            mended = _UNQUOTED_ATTRIBUTE.sub(r'\1="\2"', part)
            if mended == part:
                break
            part = mended
        parts[index] = part
    return "".join(parts)


# The start and end tags of the elements whose text RSS reads as HTML (description,
# content:encoded). Self-closing ones (``<description/>``) hold nothing and end in "/>".
_HTML_TEXT_TAG = re.compile(r"<(/?)((?:[\w.-]+:)?(?:description|encoded))(?:\s[^<>]*)?>")
# Markup that belongs to the feed, not to the HTML: a description never holds an item.
_FEED_STRUCTURE = re.compile(r"</?(?:[\w.-]+:)?(?:item|entry|channel|rss|feed)\b")


def _broken_html_as_cdata(part: str) -> str:
    """``part`` with each description holding HTML that is not well-formed XML (an unclosed
    ``<b>``) turned into CDATA: its text is then the HTML as written, which the sanitiser mends,
    where libxml2's recovery would read the unclosed tag as holding the rest of the item and the
    next item with it. HTML that is well-formed XML is left as elements: the document broke
    somewhere else, and so is a span holding feed markup (a description never closed).

    A start tag pairs with the next end tag of its name, as a lazy regex would; the end tags are
    found by bisecting one list per name, so a feed of many descriptions never closed costs
    n log n, not a search to the end of the document from each of them.
    """
    ends: dict[str, list[re.Match[str]]] = {}
    starts: list[re.Match[str]] = []
    for tag in _HTML_TEXT_TAG.finditer(part):
        if tag.group(1):
            ends.setdefault(tag.group(2), []).append(tag)
        elif not tag.group(0).endswith("/>"):
            starts.append(tag)
    pieces: list[str] = []
    copied = 0  # how much of ``part`` is in ``pieces``
    consumed = 0  # where the last pair ended: a start tag before it lies inside that pair
    for start in starts:
        same_name = ends.get(start.group(2), [])
        index = bisect.bisect_left(same_name, start.end(), key=lambda tag: tag.start())
        if start.start() < consumed or index == len(same_name):
            continue
        end = same_name[index]
        consumed = end.end()
        inner = part[start.end() : end.start()]
        if "<" not in inner or _FEED_STRUCTURE.search(inner) or _is_well_formed_fragment(inner):
            continue
        pieces += [part[copied : start.end()], "<![CDATA["]
        pieces += [inner.replace("]]>", "]]]]><![CDATA[>"), "]]>"]
        copied = end.start()
    if not pieces:
        return part
    pieces.append(part[copied:])
    return "".join(pieces)


def _is_well_formed_fragment(markup: str) -> bool:
    try:
        etree.fromstring(f"<fragment>{markup}</fragment>".encode(), STRICT)
    except etree.XMLSyntaxError:
        return False
    return True


def _expand_declared(text: str, entities: dict[str, str]) -> str:
    """The document with its declared entities substituted, adding at most its own length.

    Each value may be 1,000 characters, so without a budget 900 KB of "&a;" became 1 GB of
    text (and more in lxml). Uses past the budget stay references, read as the text "&a;".
    """
    budget = len(text)

    def expand(match: re.Match[str]) -> str:
        nonlocal budget
        value = entities.get(match.group(1))
        if value is None or len(value) > budget:
            return match.group(0)
        budget -= len(value)
        return value

    return re.sub(r"&([A-Za-z_][\w.-]{0,63});", expand, text)


def _describe(error: etree.XMLSyntaxError) -> str:
    message = str(error.msg or error).strip()
    position = error.position if hasattr(error, "position") else None
    if position and f"line {position[0]}" not in message:
        return f"{message} at line {position[0]}, column {position[1]}"
    return message


def detect_format(root: etree._Element, doctype: str) -> str:
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace = tag[1:].partition("}")[0] if tag.startswith("{") else ""
    local = local_name(tag)
    if local == "feed":
        if namespace == ATOM10:
            return "atom10"
        if namespace == ATOM03:
            return "atom03"
        version = root.get("version", "")
        return {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03", "1.0": "atom10"}.get(
            version, "atom"
        )
    if local == "rss":
        version = (root.get("version") or "").strip()
        if version.startswith("2."):
            return "rss20"
        if version == "0.91":
            return "rss091n" if "netscape" in doctype.lower() else "rss091u"
        return {"0.90": "rss090", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}.get(
            version, "rss"
        )
    if local == "rdf":
        if "netscape.com/rdf/simple/0.9" in (root.nsmap.get(None) or ""):
            return "rss090"
        for child in root:
            if isinstance(child.tag, str) and child.tag.startswith("{http://purl.org/rss/1.0/}"):
                return "rss10"
            if isinstance(child.tag, str) and "netscape.com/rdf/simple/0.9" in child.tag:
                return "rss090"
        return "rss10"
    if local == "channel" and namespace in ("", "http://purl.org/net/rss1.1#"):
        return "cdf" if namespace == "" else "rss11"
    return ""


# C1 control characters as UTF-8 bytes or as character references: only documents holding
# them need text repair (see domain/text.repair_text), and a bytes search finds them fast.
_C1_IN_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:1[2-5][0-9]|[xX]0*[89][0-9a-fA-F]);")


def parse_well_formed(data: bytes, base_url: str | None) -> etree._Element | None:
    """The bytes parsed strictly as they are; None when they are not well-formed XML."""
    try:
        return etree.fromstring(data, STRICT, base_url=base_url)
    except etree.XMLSyntaxError:
        return None


def may_hold_c1(data: bytes) -> bool:
    """Whether the bytes hold a C1 control character, which text repair then reads."""
    return _C1_IN_UTF8.search(data) is not None or _C1_REFERENCE.search(data) is not None
