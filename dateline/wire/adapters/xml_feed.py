"""RSS, RDF, Atom and CDF documents into records, with lxml (the wire's only lxml importer).

The document arrives already decoded (see domain/encoding.py). It is parsed strictly first;
if that fails because of HTML entities, they are rewritten as numeric references and the
document is parsed strictly again; if it still fails, lxml's recovering parser reads what it
can. Either way the feed is flagged (``well_formed=False``) with a warning saying why.

Walking the tree is one pass over the channel's (or feed's) children and one per item, each
dispatching on a normalised element name such as ``"title"``, ``"dc:creator"`` or
``"media:content"``: namespaces are mapped to fixed prefixes whatever prefix the document chose.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from urllib.parse import urljoin

from lxml import etree

from dateline.core.sanitize import FEED_CONTENT, sanitize_html
from dateline.wire.domain.dates import parse_date
from dateline.wire.domain.records import (
    HTML,
    PLAIN,
    UNREADABLE_GEOMETRY,
    XHTML,
    Category,
    Chapter,
    Cloud,
    Enclosure,
    Entry,
    FeedInfo,
    Generator,
    Geometry,
    Image,
    InReplyTo,
    Itunes,
    Link,
    Media,
    MediaItem,
    ParsedFeed,
    Person,
    Source,
    TextInput,
    TextValue,
)
from dateline.wire.domain.text import (
    declared_entities,
    looks_like_html,
    person_from_text,
    repair_text,
    replace_html_entities,
    strip_doctype,
)
from dateline.wire.exceptions import ParseError

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XHTML_NS = "http://www.w3.org/1999/xhtml"
_RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_ATOM10 = "http://www.w3.org/2005/Atom"
_ATOM03 = "http://purl.org/atom/ns#"

# Namespace URI -> the prefix Dateline's dispatch uses. "" is the document's own vocabulary.
_PREFIXES = {
    "": "",
    "http://backend.userland.com/rss2": "",
    "http://blogs.law.harvard.edu/tech/rss": "",
    "http://purl.org/rss/1.0/": "",
    "http://my.netscape.com/rdf/simple/0.9/": "",
    "http://purl.org/net/rss1.1#": "",
    _ATOM10: "atom",
    _ATOM03: "atom",
    "http://purl.org/atom/ns#draft-ietf-atompub-format-07": "atom",
    _RDF_NS: "rdf",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/elements/1.0/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://www.itunes.com/dtds/podcast-1.0.dtd/": "itunes",
    "http://example.com/DTDs/PodCast-1.0.dtd": "itunes",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://tools.search.yahoo.com/mrss/": "media",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://purl.org/syndication/thread/1.0": "thr",
    "http://www.georss.org/georss": "georss",
    "http://www.georss.org/georss/10": "georss",
    "http://www.opengis.net/gml": "gml",
    "http://www.w3.org/2003/01/geo/wgs84_pos#": "geo",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "http://podlove.org/simple-chapters": "psc",
    "http://web.resource.org/cc/": "cc",
    "http://creativecommons.org/ns#": "cc",
    "http://backend.userland.com/creativeCommonsRssModule": "creativecommons",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://purl.org/rss/1.0/modules/textinput/": "ti",
    "http://purl.org/rss/1.0/modules/image/": "image",
    "http://purl.org/rss/1.0/modules/admin/": "admin",
    "http://webns.net/mvcb/": "admin",
    "http://purl.org/rss/1.0/modules/aggregation/": "ag",
    "http://rssnamespace.org/feedburner/ext/1.0": "feedburner",
    "http://www.w3.org/1999/xhtml": "xhtml",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.google.com/schemas/play-podcasts/1.0": "googleplay",
    "https://podcastindex.org/namespace/1.0": "podcast",
}
# Feeds misspell namespace URIs in case and trailing slash: those are matched loosely.
_LOOSE_PREFIXES = {uri.lower().rstrip("/"): prefix for uri, prefix in _PREFIXES.items()}
_key_cache: dict[str, str] = {}
_CONVENTIONAL_PREFIXES = {prefix: prefix for prefix in _PREFIXES.values() if prefix} | {
    "rss": "",
    "rdf": "rdf",
}


def _key(tag: str) -> str:
    """'{http://purl.org/dc/elements/1.1/}creator' -> 'dc:creator'; 'title' -> 'title'."""
    key = _key_cache.get(tag)
    if key is None:
        if tag[:1] == "{":
            uri, _, local = tag[1:].partition("}")
            prefix = _PREFIXES.get(uri)
            if prefix is None:
                prefix = _LOOSE_PREFIXES.get(uri.lower().rstrip("/"), "?" + uri)
        elif ":" in tag:
            # A prefix the document never declared (only a recovered parse lets one through):
            # read it by the name feeds conventionally give that namespace ("dc:", "rss:").
            written, _, local = tag.partition(":")
            prefix = _CONVENTIONAL_PREFIXES.get(written.lower(), "?" + written)
        else:
            prefix, local = "", tag
        # Element names in old feeds vary in case (pubdate, PubDate): dispatch ignores case.
        key = f"{prefix}:{local.lower()}" if prefix else local.lower()
        if len(_key_cache) < 10_000:
            _key_cache[tag] = key
    return key


def _name(element: etree._Element) -> str:
    """The dispatch name of an element, Atom's namespace dropped ("atom:title" -> "title")."""
    key = _key(element.tag)
    return key[5:] if key.startswith("atom:") else key


def _local(tag: str) -> str:
    if tag[:1] != "{" and ":" in tag:  # an undeclared prefix in a recovered parse
        return tag.rpartition(":")[2].lower()
    return tag.rpartition("}")[2].lower()


@dataclass(slots=True)
class _Document:
    """What every handler needs to know about the document being read."""

    format: str
    fallback_base: str | None
    language: str | None = None
    repair_c1: bool = True
    own_namespace: str = ""
    warnings: list[str] = field(default_factory=list)
    # Entries' summary and content HTML kept as the feed wrote it (see parse_feed).
    raw_entry_html: bool = False

    @property
    def is_atom(self) -> bool:
        return self.format.startswith("atom")


# ----------------------------------------------------------------------------- tree parsing

_STRICT = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
)
_RECOVERING = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, load_dtd=False, remove_pis=True
)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _parse_tree(text: str, base_url: str | None) -> tuple[etree._Element, list[str], str]:
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
        root = etree.fromstring(data, _STRICT, base_url=base_url)
    except etree.XMLSyntaxError as strict_error:
        error = strict_error
    else:
        return root, warnings, doctype or ""
    if "&" in text:
        fixed = replace_html_entities(text)
        if fixed != text:
            data = fixed.encode("utf-8")
            try:
                root = etree.fromstring(data, _STRICT, base_url=base_url)
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
    if isinstance(recovered.tag, str) and not _closes_its_root(text, _local(recovered.tag)):
        warnings.append("the document ends early (truncated?): read what came before the break")
    return recovered, warnings, doctype or ""


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
    quotes (``version=2.0``), either of which makes libxml2 drop the rest of the document, and
    references to characters XML forbids."""
    if "<?xml" not in text and "=" not in text and "&#" not in text:
        return text
    parts = _COMMENT_OR_CDATA.split(text)
    for index in range(0, len(parts), 2):  # even parts are outside comments and CDATA
        part = _STRAY_DECLARATION.sub("", parts[index])
        if "&#" in part:
            part = _CHARACTER_REFERENCE.sub(_xml_character_or_replacement, part)
        for _ in range(8):  # one unquoted value per tag each pass; tags rarely have more
            mended = _UNQUOTED_ATTRIBUTE.sub(r'\1="\2"', part)
            if mended == part:
                break
            part = mended
        parts[index] = part
    return "".join(parts)


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
    local = _local(tag)
    if local == "feed":
        if namespace == _ATOM10:
            return "atom10"
        if namespace == _ATOM03:
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


def build_well_formed_utf8(
    data: bytes, *, base_url: str | None, language: str | None = None, raw_entry_html: bool = False
) -> ParsedFeed | None:
    """The fast path: UTF-8 bytes without a DOCTYPE, parsed strictly as they are.

    Returns None when the bytes are not well-formed XML (or not UTF-8): the caller then
    decodes them with recovery and calls ``build``. ParseError when well-formed but no feed.
    """
    try:
        root = etree.fromstring(data, _STRICT, base_url=base_url)
    except etree.XMLSyntaxError:
        return None
    suspect = _C1_IN_UTF8.search(data) is not None or _C1_REFERENCE.search(data) is not None
    return _build_from_tree(
        root, [], "", base_url, language, repair_c1=suspect, raw_entry_html=raw_entry_html
    )


# C1 control characters as UTF-8 bytes or as character references: only documents holding
# them need text repair (see domain/text.repair_text), and a bytes search finds them fast.
_C1_IN_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:1[2-5][0-9]|[xX]0*[89][0-9a-fA-F]);")


def build(
    text: str, *, base_url: str | None, language: str | None = None, raw_entry_html: bool = False
) -> ParsedFeed:
    """Parses decoded XML text into a ParsedFeed; raises ParseError if it is no feed."""
    root, warnings, doctype = _parse_tree(text, base_url)
    return _build_from_tree(
        root, warnings, doctype, base_url, language, repair_c1=True, raw_entry_html=raw_entry_html
    )


def _build_from_tree(
    root: etree._Element,
    warnings: list[str],
    doctype: str,
    base_url: str | None,
    language: str | None,
    *,
    repair_c1: bool,
    raw_entry_html: bool,
) -> ParsedFeed:
    if not isinstance(root.tag, str):
        raise ParseError("not a feed: the document has no root element")
    feed_format = detect_format(root, doctype)
    if not feed_format:
        local = _local(root.tag)
        if local in ("html", "head", "body"):
            raise ParseError("not a feed: an HTML page")
        raise ParseError(f"not a feed: an XML document whose root element is <{local}>")
    document = _Document(
        format=feed_format,
        fallback_base=base_url,
        warnings=warnings,
        language=language,
        repair_c1=repair_c1,
        raw_entry_html=raw_entry_html,
        own_namespace=root.tag[1:].partition("}")[0] if root.tag.startswith("{") else "",
    )
    if feed_format.startswith("atom"):
        feed_info, entries = _read_atom(root, document)
    elif feed_format == "cdf":
        feed_info, entries = _read_cdf(root, document)
    else:
        feed_info, entries = _read_rss(root, document)
    namespaces = tuple(sorted((prefix or "", uri) for prefix, uri in root.nsmap.items()))
    return ParsedFeed(
        feed=feed_info,
        entries=tuple(entries),
        warnings=tuple(document.warnings),
        format=feed_format,
        well_formed=not warnings,
        namespaces=namespaces,
    )


# --------------------------------------------------------------------------- value helpers


def _plain(element: etree._Element) -> str:
    """The element's text with markup removed, whitespace at the ends trimmed."""
    if len(element) == 0:
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def _attribute(element: etree._Element, *names: str) -> str | None:
    for name in names:
        value: str | None = element.get(name)
        if value is not None:
            value = value.strip()
            if value:
                return value
    return None


def _language(element: etree._Element, inherited: str | None) -> str | None:
    language = element.get(_XML_LANG)
    if language is None:
        return inherited
    return _language_tag(language)


def _language_tag(text: str) -> str | None:
    """A language as BCP 47 writes it: "en_US" -> "en-US"."""
    return text.strip().replace("_", "-") or None


_SAFE_BASE_SCHEMES = frozenset({"http", "https", "ftp"})
_EXTRA_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)/+")


def _base(element: etree._Element, document: _Document) -> str | None:
    """The element's base URL: xml:base (inherited), else the document's.

    An xml:base with a scheme links may not use (``javascript:``) is skipped for its parent's.
    """
    node: etree._Element | None = element
    while node is not None:
        try:
            base: str | None = node.base
        except ValueError:
            base = None
        if not base:
            break
        scheme = base.partition(":")[0].lower() if ":" in base[:12] else ""
        if not scheme or "/" in scheme:
            if document.fallback_base:
                try:
                    return urljoin(document.fallback_base, base)
                except ValueError:
                    return document.fallback_base
            return base
        if scheme in _SAFE_BASE_SCHEMES:
            # "http:///example.com/" (a slash too many) is a common slip: read as meant.
            return _EXTRA_SLASHES.sub(r"\1", base, count=1)
        node = node.getparent()
    return document.fallback_base


def _resolve(url: str | None, element: etree._Element, document: _Document) -> str | None:
    if url is None:
        return None
    url = url.strip()
    if "://" in url[:12] or url.startswith(("mailto:", "tag:", "urn:", "data:")):
        return url
    base = _base(element, document)
    if not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _inner_markup(element: etree._Element) -> str:
    """Serialises an element's children (inline XHTML) as markup, without namespace noise."""
    for descendant in element.iter():
        tag = descendant.tag
        if isinstance(tag, str) and tag.startswith("{" + _XHTML_NS + "}"):
            descendant.tag = tag[len(_XHTML_NS) + 2 :]
    etree.cleanup_namespaces(element)
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _text_value(
    element: etree._Element,
    document: _Document,
    language: str | None,
    default_type: str = PLAIN,
    *,
    entry_text: bool = False,
) -> TextValue:
    """Reads a text construct: plain text, escaped HTML, base64 or inline XHTML.

    HTML is sanitised, unless it is an entry's text (`entry_text`) in a document read with
    ``raw_entry_html``.
    """
    declared = (element.get("type") or "").strip().lower()
    mode = (element.get("mode") or "").strip().lower()
    kind = default_type
    if document.is_atom or declared:
        if declared in ("", "text", "text/plain"):
            kind = PLAIN if document.is_atom or not declared else kind
        elif declared in ("html", "text/html", "escaped-html"):
            kind = HTML
        elif declared in ("xhtml", "application/xhtml+xml"):
            kind = XHTML
        elif "/" in declared:
            kind = declared
    if kind == PLAIN and not declared and element.get("mode") == "escaped":
        kind = HTML
    if document.format == "atom10" and _is_binary_type(kind):
        mode = "base64"  # RFC 4287 3.1.1: other media types are base64-encoded
    if mode == "base64":
        try:
            raw = base64.b64decode(_plain(element), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raw = _plain(element)
    elif kind == XHTML or mode == "xml" or any(isinstance(c.tag, str) for c in element):
        container = element
        children = [child for child in element if isinstance(child.tag, str)]
        # Atom 1.0 wraps inline XHTML in one xhtml:div that is not part of the content.
        if (
            (declared == "xhtml" or (document.format == "atom10" and kind == XHTML))
            and len(children) == 1
            and children[0].tag == "{" + _XHTML_NS + "}div"
            and not (element.text or "").strip()
        ):
            container = children[0]
        raw = _inner_markup(container)
        if kind == PLAIN:
            kind = HTML
    else:
        raw = _plain(element) if len(element) else (element.text or "")
    raw = raw.strip()
    if document.repair_c1:
        raw = repair_text(raw)
    if kind == PLAIN and not document.is_atom and looks_like_html(raw):
        kind = HTML
    base = _base(element, document)
    if kind in (HTML, XHTML):
        raw = _sanitised(raw, base, document, entry_text=entry_text)
    src = element.get("src") if document.is_atom else None
    if src is not None:
        src = _resolve(src, element, document)
    return TextValue(raw, kind, _language(element, language), base, src)


def _sanitised(markup: str, base: str | None, document: _Document, *, entry_text: bool) -> str:
    """HTML made safe, or left as written when it is an entry's and the document keeps those raw."""
    if entry_text and document.raw_entry_html:
        return markup
    return sanitize_html(markup, FEED_CONTENT, base_url=base).strip()


def _is_binary_type(kind: str) -> bool:
    return "/" in kind and not (
        kind.startswith("text/") or kind.endswith("+xml") or kind.endswith("/xml")
    )


def _date(element: etree._Element) -> tuple[datetime | None, str]:
    text = _plain(element)
    return parse_date(text), text


def _person_atom(element: etree._Element, document: _Document) -> Person:
    name = email = uri = None
    for child in element:
        if not isinstance(child.tag, str):
            continue
        local = _local(child.tag)
        if local == "name":
            name = _plain(child) or None
        elif local == "email":
            email = _plain(child) or None
        elif local in ("uri", "url", "homepage"):
            uri = _resolve(_plain(child), child, document) or None
    if name is None and email is None and uri is None and len(element) == 0:
        return person_from_text(_plain(element))
    return Person(name=name, email=email, uri=uri)


def _link(element: etree._Element, document: _Document) -> Link | None:
    href = element.get("href")
    if href is None:
        href = element.get("url")
    if href is None:
        text = _plain(element)
        if not text:
            return None
        href = text
    return Link(
        href=_resolve(href, element, document) or href,
        rel=_attribute(element, "rel") or "alternate",
        type=_attribute(element, "type"),
        title=_attribute(element, "title"),
        length=_attribute(element, "length"),
        hreflang=_attribute(element, "hreflang"),
    )


def _category(element: etree._Element) -> Category | None:
    term = _attribute(element, "term", "text") or _plain(element)
    if not term:
        return None
    return Category(
        term=term,
        scheme=_attribute(element, "scheme", "domain"),
        label=_attribute(element, "label"),
    )


def _floats(text: str) -> list[float] | None:
    try:
        return [float(part) for part in text.replace(",", " ").split()]
    except ValueError:
        return None


def _pairs(
    numbers: list[float], swap: bool = True, dimension: int = 2
) -> tuple[tuple[float, ...], ...] | None:
    """GeoRSS writes 'lat lon'; records keep GeoJSON order (lon, lat), height last."""
    if dimension not in (2, 3) or len(numbers) % dimension:
        return None
    positions = [tuple(numbers[i : i + dimension]) for i in range(0, len(numbers), dimension)]
    if swap:
        return tuple((p[1], p[0], *p[2:]) for p in positions)
    return tuple(positions)


# Reference systems whose axes are latitude, then longitude (EPSG 4326 and its 3D 4979, the
# GeoRSS default); any other srsName is a projection whose axes stay as written.
_LATITUDE_FIRST = re.compile(r"(?:EPSG:+(?:[\d.]+:)?(?:4326|4979)|WGS ?84)$", re.IGNORECASE)


_GEORSS_SHAPES = frozenset(
    {"georss:point", "georss:line", "georss:polygon", "georss:box", "georss:where"}
)


def _georss(key: str, element: etree._Element) -> Geometry | None:
    if key in ("georss:point", "georss:line", "georss:polygon", "georss:box"):
        numbers = _floats(_plain(element))
        if not numbers:
            return None
        pairs = _pairs(numbers)
        if pairs is None:
            return None
        if key == "georss:point":
            return Geometry("Point", pairs[0]) if len(pairs) == 1 else None
        if key == "georss:line":
            return Geometry("LineString", pairs) if len(pairs) >= 2 else None
        if key == "georss:box":
            return Geometry("Box", pairs) if len(pairs) == 2 else None
        if len(pairs) < 4 or pairs[0] != pairs[-1]:
            return None
        return Geometry("Polygon", (pairs,))
    if key == "georss:where":
        for child in element.iter():
            if not isinstance(child.tag, str):
                continue
            shape = _gml(child)
            if shape is not None:
                return shape
    return None


def _gml(element: etree._Element) -> Geometry | None:
    local = _local(element.tag)
    if local not in ("point", "linestring", "polygon", "envelope"):
        return None
    srs_name = element.get("srsName")
    swap = srs_name is None or _LATITUDE_FIRST.search(srs_name.strip()) is not None
    dimension = _integer(element.get("srsDimension")) or 2
    positions: list[float] = []
    for child in element.iter():
        if not isinstance(child.tag, str):
            continue
        child_local = _local(child.tag)
        if child_local in ("pos", "poslist", "lowercorner", "uppercorner", "coordinates"):
            numbers = _floats(_plain(child))
            if numbers is None:
                return None
            positions.extend(numbers)
    pairs = _pairs(positions, swap, dimension)
    if not pairs:
        return None
    if local == "point":
        return Geometry("Point", pairs[0]) if len(pairs) == 1 else None
    if local == "linestring":
        return Geometry("LineString", pairs) if len(pairs) >= 2 else None
    if local == "envelope":
        return Geometry("Box", pairs) if len(pairs) == 2 else None
    if len(pairs) < 4 or pairs[0] != pairs[-1]:
        return None
    return Geometry("Polygon", (pairs,))


def _explicit(text: str) -> bool | None:
    value = text
    if value in ("yes", "true", "explicit"):
        return True
    if value in ("no", "false", "clean"):
        return False
    return None


class _ItunesBuilder:
    """Collects iTunes elements of one channel or item."""

    __slots__ = ("categories", "fields", "keywords", "seen")

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.keywords: list[str] = []
        self.categories: list[str] = []
        self.seen = False

    def add(self, key: str, element: etree._Element, document: _Document) -> None:
        self.seen = True
        name = key[7:]
        if name == "category":
            text = _attribute(element, "text")
            if text:
                self.categories.append(text)
            for sub in element:
                if isinstance(sub.tag, str) and _local(sub.tag) == "category":
                    sub_text = _attribute(sub, "text")
                    if sub_text:
                        self.categories.append(sub_text)
        elif name == "keywords":
            self.keywords.extend(
                word.strip() for word in _plain(element).split(",") if word.strip()
            )
        elif name == "image":
            href = _attribute(element, "href", "url") or _plain(element)
            self.fields["image"] = _resolve(href, element, document) if href else None
        elif name == "explicit":
            # Apple's values are exact lower-case words; anything else says nothing.
            self.fields["explicit"] = _explicit(element.text or "")
        elif name == "block":
            self.fields["block"] = (element.text or "") == "yes"
        elif name == "link" and element.get("rel") == "image":
            image_href = _attribute(element, "href")
            self.fields["image"] = _resolve(image_href, element, document) if image_href else None
        elif name == "owner":
            person = _person_atom(element, document)
            self.fields["owner"] = person
        elif name in ("author", "subtitle", "summary", "duration", "episode", "season"):
            self.fields[name] = _plain(element) or None
        elif name == "episodetype":
            self.fields["episode_type"] = _plain(element) or None

    def build(self) -> Itunes | None:
        if not self.seen:
            return None
        return Itunes(
            keywords=tuple(self.keywords),
            categories=tuple(self.categories),
            **self.fields,  # type: ignore[arg-type,unused-ignore]
        )


class _MediaBuilder:
    """Collects Media RSS elements of one item (and its media:group)."""

    __slots__ = ("contents", "credits", "fields", "keywords", "seen", "thumbnails")

    def __init__(self) -> None:
        self.contents: list[MediaItem] = []
        self.thumbnails: list[MediaItem] = []
        self.fields: dict[str, str | None] = {}
        self.keywords: list[str] = []
        self.credits: list[Person] = []
        self.seen = False

    def add(self, key: str, element: etree._Element, document: _Document) -> None:
        self.seen = True
        name = key[6:]
        if name == "group":
            for child in element:
                if isinstance(child.tag, str):
                    child_key = _key(child.tag)
                    if child_key.startswith("media:"):
                        self.add(child_key, child, document)
        elif name == "content":
            url = _attribute(element, "url")
            if url:
                self.contents.append(
                    MediaItem(
                        url=_resolve(url, element, document) or url,
                        type=_attribute(element, "type"),
                        medium=_attribute(element, "medium"),
                        width=_attribute(element, "width"),
                        height=_attribute(element, "height"),
                        duration=_attribute(element, "duration"),
                        file_size=_attribute(element, "filesize", "fileSize"),
                    )
                )
            for child in element:
                if isinstance(child.tag, str):
                    child_key = _key(child.tag)
                    if child_key.startswith("media:") and child_key != "media:content":
                        self.add(child_key, child, document)
        elif name == "thumbnail":
            url = _attribute(element, "url")
            if url:
                self.thumbnails.append(
                    MediaItem(
                        url=_resolve(url, element, document) or url,
                        width=_attribute(element, "width"),
                        height=_attribute(element, "height"),
                    )
                )
        elif name == "keywords":
            self.keywords.extend(
                word.strip() for word in _plain(element).split(",") if word.strip()
            )
        elif name == "credit":
            self.credits.append(Person(name=_plain(element) or None))
        elif name == "player":
            self.fields["player"] = _attribute(element, "url")
        elif name == "license":
            self.fields["license"] = _attribute(element, "href") or _plain(element) or None
        elif name in ("title", "description", "rating", "restriction"):
            self.fields[name] = _plain(element) or None

    def build(self) -> Media | None:
        if not self.seen:
            return None
        return Media(
            contents=tuple(self.contents),
            thumbnails=tuple(self.thumbnails),
            keywords=tuple(self.keywords),
            credits=tuple(self.credits),
            **self.fields,  # type: ignore[arg-type,unused-ignore]
        )


def _chapters(element: etree._Element, document: _Document) -> list[Chapter]:
    chapters = []
    for child in element:
        if isinstance(child.tag, str) and _local(child.tag) == "chapter":
            start = _attribute(child, "start")
            if start:
                href = _attribute(child, "href")
                chapters.append(
                    Chapter(
                        start=start,
                        offset=_chapter_offset(start),
                        title=_attribute(child, "title"),
                        href=_resolve(href, child, document) if href else None,
                        image=_attribute(child, "image"),
                    )
                )
    return chapters


_NORMAL_PLAY_TIME = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2})(?:\.(\d{1,3}))?$")


def _chapter_offset(start: str) -> timedelta | None:
    """Podlove chapter starts are Normal Play Time: [[HH:]MM:]SS[.mmm]."""
    match = _NORMAL_PLAY_TIME.match(start.strip())
    if match is None:
        return None
    hours, minutes, seconds, millis = match.groups()
    return timedelta(
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds),
        milliseconds=int((millis or "0").ljust(3, "0")),
    )


def _stable_id(title: str | None, link: str | None, summary: TextValue | None, when: str) -> str:
    digest = hashlib.sha256()
    for part in (title or "", link or "", summary.value if summary else "", when):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return "sha256:" + digest.hexdigest()[:32]


# ----------------------------------------------------------------------- shared collectors


@dataclass(slots=True)
class _Common:
    """Fields channel, item, Atom feed and Atom entry have in common, as they are collected."""

    title: TextValue | None = None
    subtitle: TextValue | None = None
    summary: TextValue | None = None
    summary_key: str = ""
    content: list[TextValue] = field(default_factory=list)
    rights: TextValue | None = None
    info: TextValue | None = None
    link: str | None = None
    links: list[Link] = field(default_factory=list)
    id: str | None = None
    id_is_link: bool = False
    published: tuple[datetime | None, str] | None = None
    updated: tuple[datetime | None, str] | None = None
    created: tuple[datetime | None, str] | None = None
    expired: tuple[datetime | None, str] | None = None
    valid_from: tuple[datetime | None, str] | None = None
    valid_until: tuple[datetime | None, str] | None = None
    comment_api: str | None = None
    authors: list[Person] = field(default_factory=list)
    contributors: list[Person] = field(default_factory=list)
    publisher: Person | None = None
    categories: list[Category] = field(default_factory=list)
    enclosures: list[Enclosure] = field(default_factory=list)
    comments: str | None = None
    comments_feed: str | None = None
    language: str | None = None
    where: Geometry | None = None
    geo_lat: float | None = None
    geo_long: float | None = None
    chapters: list[Chapter] = field(default_factory=list)
    chapters_version: str | None = None
    license: str | None = None
    source: Source | None = None
    icon: str | None = None
    logo: str | None = None
    image: Image | None = None
    generator: Generator | None = None
    docs: str | None = None
    ttl: str | None = None
    cloud: Cloud | None = None
    text_input: TextInput | None = None
    new_location: str | None = None
    in_reply_to: list[InReplyTo] = field(default_factory=list)
    image_url: str | None = None
    itunes: _ItunesBuilder = field(default_factory=_ItunesBuilder)
    media: _MediaBuilder = field(default_factory=_MediaBuilder)


def _collect(
    element: etree._Element,
    document: _Document,
    language: str | None,
    level: str,
    skip: Callable[[str], bool] = lambda key: False,
) -> _Common:
    """One pass over an element's children, filling a _Common by normalised element name."""
    found = _Common(language=language)
    is_atom = document.is_atom
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        key = _key(tag)
        if key.startswith("atom:"):
            key = key[5:]
        elif key[0] == "?" and tag[1:].partition("}")[0] == document.own_namespace:
            key = _local(tag)  # an unknown vocabulary, but the root element's own
        if skip(key):
            continue
        handler = _HANDLERS.get(key)
        if handler is not None:
            handler(found, child, document, language, level, is_atom)
        elif key.startswith("itunes:"):
            found.itunes.add(key, child, document)
        elif key.startswith("media:"):
            found.media.add(key, child, document)
        elif key.startswith("georss:"):
            shape = _georss(key, child)
            if shape is not None:
                found.where = shape
            elif found.where is None and key in _GEORSS_SHAPES:
                found.where = UNREADABLE_GEOMETRY
    if (
        found.where in (None, UNREADABLE_GEOMETRY)
        and found.geo_lat is not None
        and found.geo_long is not None
    ):
        found.where = Geometry("Point", (found.geo_long, found.geo_lat))
    if level == "item" and found.id is None:
        about = element.get(f"{{{_RDF_NS}}}about")
        if about:
            found.id = about.strip()  # RSS 1.0 names each item by its rdf:about
    if found.itunes.seen:
        _fill_from_itunes(found)
    if found.media.seen:
        _fill_from_media(found, document, language)
    return found


_ITUNES_CATEGORY_SCHEME = "http://www.itunes.com/"


def _fill_from_itunes(found: _Common) -> None:
    """Podcast feeds often say things only in iTunes terms: use them where nothing else did."""
    itunes = found.itunes
    fields = itunes.fields
    known_terms = {category.term for category in found.categories}
    for term in itunes.categories:
        if term not in known_terms:
            found.categories.append(Category(term=term, scheme=_ITUNES_CATEGORY_SCHEME))
            known_terms.add(term)
    for term in itunes.keywords:
        if term not in known_terms:
            found.categories.append(Category(term=term))
            known_terms.add(term)
    image = fields.get("image")
    if isinstance(image, str) and image:
        found.image_url = found.image_url or image
        if found.image is None:
            found.image = Image(url=image)
    owner = fields.get("owner")
    if found.publisher is None and isinstance(owner, Person):
        found.publisher = owner
    author = fields.get("author")
    if not found.authors and isinstance(author, str) and author:
        found.authors.append(Person(name=author))
    summary = fields.get("summary")
    if isinstance(summary, str) and summary:
        if found.summary is None:
            found.summary = TextValue(summary, PLAIN, found.language)
        if found.subtitle is None:
            found.subtitle = TextValue(summary, PLAIN, found.language)


def _fill_from_media(found: _Common, document: _Document, language: str | None) -> None:
    media = found.media
    title = media.fields.get("title")
    if found.title is None and title:
        found.title = TextValue(title, PLAIN, language)
    description = media.fields.get("description")
    if found.summary is None and description:
        found.summary = TextValue(description, PLAIN, language)
    if found.image_url is None and media.thumbnails:
        found.image_url = media.thumbnails[0].url


_Handler = Callable[[_Common, etree._Element, _Document, "str | None", str, bool], None]
_HANDLERS: dict[str, _Handler] = {}


def _handles(*keys: str) -> Callable[[_Handler], _Handler]:
    def register(function: _Handler) -> _Handler:
        for key in keys:
            _HANDLERS[key] = function
        return function

    return register


@_handles("title", "dc:title")
def _on_title(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if found.title is None or _name(el) != "dc:title":
        found.title = _text_value(el, doc, lang)


@_handles("subtitle", "tagline", "itunes:subtitle")
def _on_subtitle(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if _name(el) == "itunes:subtitle":
        found.itunes.add("itunes:subtitle", el, doc)
        if found.subtitle is not None:
            return
    found.subtitle = _text_value(el, doc, lang)


@_handles("description", "dc:description", "summary", "abstract")
def _on_description(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    key = _name(el)
    if found.summary is not None and key == "dc:description":
        return
    if level == "channel" and not atom:
        if found.subtitle is None or key != "dc:description":
            found.subtitle = _text_value(el, doc, lang, HTML)
        return
    default = PLAIN if atom else HTML
    value = _text_value(el, doc, lang, default, entry_text=level == "item")
    if not atom and found.summary is not None and found.summary_key != key:
        # RSS items with both <description> and <summary>: the second is the full content.
        found.content.append(value)
        return
    found.summary = value
    found.summary_key = key


@_handles("content:encoded", "content", "xhtml:body", "xhtml:div", "body", "fullitem")
def _on_content(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    key = _name(el)
    if key in ("xhtml:body", "xhtml:div", "body"):
        base = _base(el, doc)
        value = _sanitised(_inner_markup(el).strip(), base, doc, entry_text=level == "item")
        found.content.append(TextValue(value, XHTML, _language(el, lang), base))
        return
    default = PLAIN if atom and key == "content" else HTML
    found.content.append(_text_value(el, doc, lang, default, entry_text=level == "item"))


@_handles("rights", "copyright", "dc:rights", "dcterms:rights")
def _on_rights(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if found.rights is None or _name(el) in ("rights", "copyright"):
        found.rights = _text_value(el, doc, lang)


@_handles("info", "feedburner:browserfriendly")
def _on_info(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.info = _text_value(el, doc, lang)


@_handles("link")
def _on_link(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    link = _link(el, doc)
    if link is None:
        return
    has_href = el.get("href") is not None
    if not has_href and not atom:
        # RSS <link>URL</link>: the alternate link. An atom:link in RSS has an href.
        if found.link is None:
            found.link = link.href
        found.links.append(Link(href=link.href, rel="alternate", type="text/html"))
        return
    if atom and link.rel == "self" and link.type is None:
        # A feed's self link points at the feed: Atom, unless it says otherwise.
        link = Link(link.href, "self", "application/atom+xml", link.title, link.length,
                    link.hreflang)  # fmt: skip
    found.links.append(link)
    if link.rel == "enclosure":
        found.enclosures.append(Enclosure(url=link.href, type=link.type, length=link.length))
    if link.rel == "alternate" and found.link is None:
        found.link = link.href
    if link.rel == "license" and found.license is None:
        found.license = link.href


@_handles("guid", "id", "dc:identifier")
def _on_id(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    key = _name(el)
    if key == "dc:identifier" and found.id is not None:
        return
    value = _plain(el)
    if atom and key == "id" and value and ":" not in value:
        value = _resolve(value, el, doc) or value  # a relative IRI reference
    if key == "guid":
        permalink = (el.get("isPermaLink") or el.get("ispermalink") or "true").strip().lower()
        found.id_is_link = permalink != "false" and value.startswith(("http://", "https://"))
        if found.id_is_link:
            value = _resolve(value, el, doc) or value
    found.id = value


@_handles("pubdate", "published", "issued", "dcterms:issued")
def _on_published(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if found.published is None or _name(el) in ("pubdate", "published"):
        found.published = _date(el)


@_handles("updated", "modified", "lastbuilddate", "dc:date", "dcterms:modified")
def _on_updated(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    key = _name(el)
    if found.updated is None or key in ("updated", "modified"):
        found.updated = _date(el)
    if key == "dc:date" and level != "channel" and found.published is None and not atom:
        # RSS 1.0 items date themselves with dc:date only: it is their publication date too.
        pass


@_handles("created", "dcterms:created")
def _on_created(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.created = _date(el)


@_handles("expirationdate")
def _on_expired(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.expired = _date(el)


@_handles("dcterms:valid")
def _on_valid(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    # A DCMI Period: "start=2002-10-13T09:00+01:00; end=2002-10-17T17:00+01:00; scheme=W3C-DTF".
    for part in _plain(el).split(";"):
        name, _, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if value and name == "start":
            found.valid_from = (parse_date(value), value)
        elif value and name == "end":
            found.valid_until = (parse_date(value), value)


@_handles("author", "dc:creator", "dc:author", "creator", "managingeditor", "webmaster")
def _on_author(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    key = _name(el)
    if key == "webmaster":
        found.publisher = found.publisher or person_from_text(_plain(el))
        return
    if len(el) and any(isinstance(child.tag, str) for child in el):
        found.authors.append(_person_atom(el, doc))
    else:
        text = _plain(el)
        if text:
            found.authors.append(person_from_text(text))


@_handles("contributor", "dc:contributor")
def _on_contributor(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if len(el):
        found.contributors.append(_person_atom(el, doc))
    else:
        text = _plain(el)
        if text:
            found.contributors.append(person_from_text(text))


@_handles("dc:publisher")
def _on_publisher(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.publisher = _person_atom(el, doc) if len(el) else person_from_text(_plain(el))


@_handles("category", "dc:subject", "keywords")
def _on_category(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    key = _name(el)
    if key == "keywords":
        for word in _plain(el).split(","):
            if word.strip():
                found.categories.append(Category(term=word.strip()))
        return
    category = _category(el)
    if category is not None:
        found.categories.append(category)


@_handles("enclosure")
def _on_enclosure(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    url = _attribute(el, "url", "href")
    if url:
        enclosure = Enclosure(
            url=_resolve(url, el, doc) or url,
            type=_attribute(el, "type"),
            length=_attribute(el, "length"),
        )
        found.enclosures.append(enclosure)
        found.links.append(
            Link(href=enclosure.url, rel="enclosure", type=enclosure.type, length=enclosure.length)
        )


@_handles("comments")
def _on_comments(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.comments = _resolve(_plain(el), el, doc) or None


@_handles("wfw:commentrss")
def _on_comment_feed(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.comments_feed = _resolve(_plain(el), el, doc) or None


@_handles("wfw:comment")
def _on_comment_api(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.comment_api = _resolve(_plain(el), el, doc) or None


@_handles("language", "dc:language")
def _on_language(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.language = _language_tag(_plain(el)) or found.language


_MEDIA_CATEGORY_SCHEME = "http://search.yahoo.com/mrss/category_schema"


@_handles("media:category")
def _on_media_category(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    term = _plain(el)
    if term:
        found.categories.append(
            Category(
                term=term,
                scheme=_attribute(el, "scheme") or _MEDIA_CATEGORY_SCHEME,
                label=_attribute(el, "label"),
            )
        )


@_handles("geo:lat", "geo:long", "geo:lon")
def _on_geo(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    try:
        value = float(_plain(el))
    except ValueError:
        return
    if _name(el) == "geo:lat":
        found.geo_lat = value
    else:
        found.geo_long = value


@_handles("gml:point", "gml:linestring", "gml:polygon", "gml:envelope")
def _on_gml(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    shape = _gml(el)
    if shape is not None:
        found.where = shape


@_handles("psc:chapters")
def _on_chapters(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if not found.chapters:  # the format allows one list of chapters per episode
        found.chapters.extend(_chapters(el, doc))
        found.chapters_version = _attribute(el, "version")


@_handles("cc:license", "creativecommons:license")
def _on_license(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.license = _attribute(el, f"{{{_RDF_NS}}}resource") or _plain(el) or None


@_handles("source")
def _on_source(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if atom or any(isinstance(child.tag, str) for child in el):
        inner = _collect(el, doc, lang, "source")
        found.source = Source(
            title=inner.title.value if inner.title else None,
            title_detail=inner.title,
            url=next((link.href for link in inner.links if link.rel == "self"), None),
            id=inner.id,
            link=inner.link,
            links=tuple(inner.links),
            updated=inner.updated[0] if inner.updated else None,
            authors=tuple(inner.authors),
            contributors=tuple(inner.contributors),
            categories=tuple(inner.categories),
            generator=inner.generator,
            icon=inner.icon,
            logo=inner.logo,
            rights=inner.rights,
            subtitle=inner.subtitle,
        )
    else:
        url = _attribute(el, "url")
        found.source = Source(
            title=_plain(el) or None,
            url=_resolve(url, el, doc) if url else None,
            link=_resolve(url, el, doc) if url else None,
        )


@_handles("icon")
def _on_icon(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.icon = _resolve(_plain(el), el, doc) or None


@_handles("logo")
def _on_logo(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.logo = _resolve(_plain(el), el, doc) or None


@_handles("image")
def _on_image(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    if found.image is not None:
        return
    values: dict[str, str | None] = {}
    for child in el:
        if isinstance(child.tag, str):
            local = _local(child.tag)
            if local in ("url", "title", "link", "width", "height", "description"):
                text = _plain(child)
                if local in ("url", "link"):
                    text = _resolve(text, child, doc) or text
                values[local] = text or None
    found.image = Image(
        url=values.get("url") or _attribute(el, f"{{{_RDF_NS}}}resource", "href"),
        title=values.get("title"),
        link=values.get("link"),
        width=_integer(values.get("width")),
        height=_integer(values.get("height")),
        description=values.get("description"),
    )


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


@_handles("generator", "admin:generatoragent")
def _on_generator(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    uri = _attribute(el, "uri", "url", f"{{{_RDF_NS}}}resource")
    found.generator = Generator(
        name=_plain(el) or None,
        uri=_resolve(uri, el, doc) if uri else None,
        version=_attribute(el, "version"),
    )


@_handles("itunes:new-feed-url", "newlocation")
def _on_new_location(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.new_location = _resolve(_plain(el), el, doc) or found.new_location


@_handles("thr:in-reply-to")
def _on_in_reply_to(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    ref = _attribute(el, "ref")
    if ref:
        href, source = _attribute(el, "href"), _attribute(el, "source")
        found.in_reply_to.append(
            InReplyTo(
                ref=ref,
                href=_resolve(href, el, doc) if href else None,
                type=_attribute(el, "type"),
                source=_resolve(source, el, doc) if source else None,
            )
        )


@_handles("docs")
def _on_docs(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.docs = _resolve(_plain(el), el, doc) or None


@_handles("ttl")
def _on_ttl(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.ttl = _plain(el) or None


@_handles("cloud")
def _on_cloud(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    found.cloud = Cloud(
        domain=_attribute(el, "domain"),
        port=_attribute(el, "port"),
        path=_attribute(el, "path"),
        register_procedure=_attribute(el, "registerProcedure", "registerprocedure"),
        protocol=_attribute(el, "protocol"),
    )


@_handles("textinput", "textInput")
def _on_text_input(
    found: _Common, el: etree._Element, doc: _Document, lang: str | None, level: str, atom: bool
) -> None:
    values: dict[str, str | None] = {}
    for child in el:
        if isinstance(child.tag, str):
            local = _local(child.tag)
            if local in ("title", "description", "name", "link"):
                text = _plain(child)
                if local == "link":
                    text = _resolve(text, child, doc) or text
                values[local] = text or None
    found.text_input = TextInput(**values)  # type: ignore[arg-type,unused-ignore]


# ------------------------------------------------------------------------ formats to records


def _dates(value: tuple[datetime | None, str] | None) -> tuple[datetime | None, str | None]:
    if value is None:
        return None, None
    return value[0], value[1] or None


def _feed_info(found: _Common, language: str | None) -> FeedInfo:
    updated, updated_text = _dates(found.updated)
    published, published_text = _dates(found.published)
    return FeedInfo(
        title=found.title.value if found.title else None,
        title_detail=found.title,
        subtitle=found.subtitle,
        link=found.link,
        links=tuple(found.links),
        id=found.id,
        language=found.language or language,
        icon=found.icon,
        logo=found.logo,
        image=found.image,
        updated=updated,
        published=published,
        authors=tuple(found.authors),
        contributors=tuple(found.contributors),
        publisher=found.publisher,
        rights=found.rights,
        info=found.info,
        categories=tuple(found.categories),
        generator=found.generator,
        docs=found.docs,
        ttl=found.ttl,
        cloud=found.cloud,
        text_input=found.text_input,
        new_location=found.new_location,
        in_reply_to=tuple(found.in_reply_to),
        itunes=found.itunes.build(),
        updated_text=updated_text,
        published_text=published_text,
        created=found.created[0] if found.created else None,
        created_text=found.created[1] or None if found.created else None,
        valid_from=found.valid_from[0] if found.valid_from else None,
        valid_until=found.valid_until[0] if found.valid_until else None,
        valid_from_text=found.valid_from[1] if found.valid_from else None,
        valid_until_text=found.valid_until[1] if found.valid_until else None,
    )


def _entry(found: _Common, feed_link: str | None) -> Entry:
    updated, updated_text = _dates(found.updated)
    published, published_text = _dates(found.published)
    link = found.link
    link_from_id = False
    if link is None and found.id_is_link:
        link, link_from_id = found.id, True
    title = found.title.value if found.title else None
    summary = found.summary
    content = tuple(found.content)
    if summary is None and content:
        # Consumers read the summary to show an entry; a feed with only content gives that.
        summary = content[0]
    entry_id = found.id
    id_from_feed = bool(entry_id)
    if not entry_id:
        entry_id = link or _stable_id(
            title,
            link,
            summary or (content[0] if content else None),
            published_text or updated_text or "",
        )
    return Entry(
        id=entry_id,
        title=title,
        title_detail=found.title,
        link=link,
        links=tuple(found.links),
        published=published,
        updated=updated,
        created=found.created[0] if found.created else None,
        expired=found.expired[0] if found.expired else None,
        authors=tuple(found.authors),
        contributors=tuple(found.contributors),
        publisher=found.publisher,
        categories=tuple(found.categories),
        summary=summary,
        content=content,
        rights=found.rights,
        enclosures=tuple(found.enclosures),
        media=found.media.build(),
        source=found.source,
        comments=found.comments,
        id_from_feed=id_from_feed,
        link_from_id=link_from_id,
        image=found.image_url,
        language=found.language,
        where=found.where,
        itunes=found.itunes.build(),
        chapters=tuple(found.chapters),
        chapters_version=found.chapters_version,
        license=found.license,
        comments_feed=found.comments_feed,
        updated_text=updated_text,
        published_text=published_text,
        created_text=found.created[1] or None if found.created else None,
        expired_text=found.expired[1] or None if found.expired else None,
        valid_from=found.valid_from[0] if found.valid_from else None,
        valid_until=found.valid_until[0] if found.valid_until else None,
        valid_from_text=found.valid_from[1] if found.valid_from else None,
        valid_until_text=found.valid_until[1] if found.valid_until else None,
        comment_api=found.comment_api,
        in_reply_to=tuple(found.in_reply_to),
    )


def _read_atom(root: etree._Element, document: _Document) -> tuple[FeedInfo, list[Entry]]:
    language = _language(root, document.language)
    found = _collect(root, document, language, "channel", skip=lambda key: key in ("entry", "item"))
    feed_info = _feed_info(found, language)
    entries = []
    for child in root:
        if isinstance(child.tag, str) and _local(child.tag) in ("entry", "item"):
            entries.append(
                _entry(
                    _collect(child, document, _language(child, language), "item"), feed_info.link
                )
            )
    return feed_info, entries


def _rss_items(root: etree._Element, channel: etree._Element | None) -> Iterable[etree._Element]:
    # RSS 2.0 puts items in the channel; RSS 1.0 and 0.90 beside it, under the root.
    for parent in (channel, root) if channel is not None else (root,):
        for child in parent:
            if isinstance(child.tag, str) and _local(child.tag) == "item":
                yield child


def _read_rss(root: etree._Element, document: _Document) -> tuple[FeedInfo, list[Entry]]:
    channel = None
    for child in root:
        if isinstance(child.tag, str) and _local(child.tag) == "channel":
            channel = child
            break
    language = _language(root, document.language)
    if channel is not None:
        language = _language(channel, language)
        found = _collect(channel, document, language, "channel", skip=lambda key: key == "item")
    else:
        found = _Common()
    # A moved feed may say so in <redirect><newLocation>, beside (or without) the channel.
    for child in root:
        if isinstance(child.tag, str) and _local(child.tag) == "redirect":
            moved = _collect(child, document, language, "channel")
            found.new_location = found.new_location or moved.new_location
    # Images and text inputs of RSS 1.0 sit beside the channel.
    for child in root:
        if isinstance(child.tag, str) and _local(child.tag) in ("image", "textinput"):
            extra = _collect(
                root,
                document,
                language,
                "channel",
                skip=lambda key: key not in ("image", "textinput"),
            )
            found.image = found.image or extra.image
            found.text_input = found.text_input or extra.text_input
            break
    feed_info = _feed_info(found, language)
    if document.fallback_base is None and feed_info.link and "://" in feed_info.link:
        # Relative links in items resolve against the feed's own link when nothing better exists.
        document.fallback_base = feed_info.link
    item_language = feed_info.language or language
    entries = [
        _entry(_collect(item, document, _language(item, item_language), "item"), feed_info.link)
        for item in _rss_items(root, channel)
    ]
    return feed_info, entries


def _read_cdf(root: etree._Element, document: _Document) -> tuple[FeedInfo, list[Entry]]:
    """Microsoft's Channel Definition Format: a CHANNEL of ITEMs with HREF attributes."""
    language = _language(root, document.language)
    cdf_base = _attribute(root, "base", "BASE")
    if cdf_base:
        document.fallback_base = _resolve(cdf_base, root, document)
    found = _collect(root, document, language, "channel", skip=lambda key: key == "item")
    href = _attribute(root, "href", "HREF")
    if href:
        found.link = _resolve(href, root, document)
        found.links.append(Link(href=found.link or href, rel="alternate", type="text/html"))
    lastmod = _attribute(root, "lastmod", "LASTMOD")
    if lastmod and found.updated is None:
        found.updated = (parse_date(lastmod), lastmod)
    feed_info = _feed_info(found, language)
    entries = []
    for child in root:
        if not (isinstance(child.tag, str) and _local(child.tag) == "item"):
            continue
        item = _collect(child, document, language, "item")
        item_href = _attribute(child, "href", "HREF")
        if item_href:
            item.link = _resolve(item_href, child, document)
            item.links.append(Link(href=item.link or item_href, rel="alternate", type="text/html"))
        item_lastmod = _attribute(child, "lastmod", "LASTMOD")
        if item_lastmod and item.updated is None:
            item.updated = (parse_date(item_lastmod), item_lastmod)
        entries.append(_entry(item, feed_info.link))
    return feed_info, entries
