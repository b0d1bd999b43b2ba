"""Text constructs and URL resolution: what an element says, as text or as a URL.

A text construct (title, summary, content, rights...) may be plain text, escaped HTML, base64
or inline XHTML; ``text_value`` reads any of them into one ``TextValue`` with its media type,
language and base. HTML is sanitised here (the feed-content policy), with relative URLs
resolved against the element's base: xml:base, inherited, else the document's.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from html import escape
from urllib.parse import urljoin

from lxml import etree

from dateline.core.sanitize import FEED_CONTENT, sanitize_html
from dateline.wire.adapters.xml.namespaces import XHTML as XHTML_NS
from dateline.wire.adapters.xml.namespaces import XHTML_DIV, XML_LANG, dispatch_key, local_name
from dateline.wire.adapters.xml.reading import Context
from dateline.wire.domain import url_schemes
from dateline.wire.domain.dates import parse_date
from dateline.wire.domain.records import HTML, PLAIN, XHTML, TextValue
from dateline.wire.domain.text import looks_like_html, repair_text

# A date as read and as written: the text stays, since an unreadable date still says something.
Dated = tuple[datetime | None, str]


def plain(element: etree._Element) -> str:
    """The element's text with markup removed, whitespace at the ends trimmed."""
    if len(element) == 0:
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def attribute(element: etree._Element, *names: str) -> str | None:
    """The first of the attributes ``names`` that has a value other than blanks, trimmed."""
    for name in names:
        value: str | None = element.get(name)
        if value is not None:
            value = value.strip()
            if value:
                return value
    return None


def integer(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def date(element: etree._Element) -> Dated:
    text = plain(element)
    return parse_date(text), text


def language(element: etree._Element, inherited: str | None) -> str | None:
    """The element's xml:lang, else the one it inherits."""
    value = element.get(XML_LANG)
    if value is None:
        return inherited
    return language_tag(value)


def language_tag(text: str) -> str | None:
    """A language as BCP 47 writes it: "en_US" -> "en-US"."""
    return text.strip().replace("_", "-") or None


_SAFE_BASE_SCHEMES = frozenset({"http", "https", "ftp"})
_EXTRA_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)/+")


def base(element: etree._Element, context: Context) -> str | None:
    """The element's base URL: xml:base (inherited), else the document's.

    An xml:base with a scheme links may not use (``javascript:``) is skipped for its parent's.
    """
    if context.uniform_base:
        # lxml would answer the base it was given, for every element: no need to ask it.
        return context.document_base or context.fallback_base
    node: etree._Element | None = element
    while node is not None:
        try:
            found: str | None = node.base
        except ValueError:
            found = None
        if not found:
            break
        scheme = found.partition(":")[0].lower() if ":" in found[:12] else ""
        if not scheme or "/" in scheme:
            if context.fallback_base:
                try:
                    return urljoin(context.fallback_base, found)
                except ValueError:
                    return context.fallback_base
            return found
        if scheme in _SAFE_BASE_SCHEMES:
            return mended_base(found)
        node = node.getparent()
    return context.fallback_base


def mended_base(url: str) -> str:
    """ "http:///example.com/" (a slash too many, a common slip) read as meant."""
    return _EXTRA_SLASHES.sub(r"\1", url, count=1)


def uniform_base(base_url: str | None, has_xml_base: bool) -> tuple[bool, str | None]:
    """Whether every element of a document has the same base (see ``Context``), and which."""
    if has_xml_base:
        return False, None
    if base_url is None:
        return True, None
    if base_url.startswith(("http://", "https://")):
        return True, mended_base(base_url)
    return False, None


def resolve(url: str | None, element: etree._Element, context: Context) -> str | None:
    """``url`` made absolute against the element's base (absolute URLs stay as they are)."""
    if url is None:
        return None
    url = url.strip()
    if "://" in url[:12] or url.startswith(("mailto:", "tag:", "urn:", "data:")):
        return url
    element_base = base(element, context)
    if not element_base:
        return url
    try:
        return urljoin(element_base, url)
    except ValueError:
        return url


def web_url(
    url: str | None,
    element: etree._Element,
    context: Context,
    schemes: frozenset[str] = url_schemes.WEB,
    *,
    attribute_name: str = "",
    as_written: bool = False,
) -> str | None:
    """A URL field's value: ``url`` resolved (``as_written``: not, for the few fields that never
    were), if its scheme is one of ``schemes`` (see domain/url_schemes.py); None, with a warning
    naming the element and attribute, when it is not.

    An empty ``url`` (an attribute written ``href=""``) is the element's base, as RFC 3986
    reads an empty reference; an element with no text is no URL at all (``url_text``).
    """
    if url is None:
        return None
    if not as_written:
        url = resolve(url, element, context)
    if not url:
        return None
    if url_schemes.is_allowed(url, schemes):
        return url
    where = f"<{_element_name(element)}{' ' + attribute_name if attribute_name else ''}>"
    context.warn(url_schemes.dropped_warning(url, where, schemes))
    return None


def _element_name(element: etree._Element) -> str:
    """The element as a warning names it: with its vocabulary's prefix, "media:content"."""
    key = dispatch_key(element.tag).removeprefix("atom:")
    return local_name(element.tag) if key.startswith("?") else key


def url_text(
    element: etree._Element, context: Context, schemes: frozenset[str] = url_schemes.WEB
) -> str | None:
    """The element's text as a URL field (``web_url``); None when it has no text: an empty
    ``<comments/>`` or ``<url/>`` names no URL, not the base it would resolve to."""
    text = plain(element)
    return web_url(text, element, context, schemes) if text else None


def url_attribute(
    element: etree._Element,
    context: Context,
    *names: str,
    schemes: frozenset[str] = url_schemes.WEB,
) -> str | None:
    """The first of the attributes ``names`` with a value, as a URL field (``web_url``)."""
    for name in names:
        value = attribute(element, name)
        if value is not None:
            return web_url(value, element, context, schemes, attribute_name=local_name(name))
    return None


def inner_markup(element: etree._Element) -> str:
    """Serialises an element's children (inline XHTML) as markup, without namespace noise."""
    prefix = "{" + XHTML_NS + "}"
    for descendant in element.iter():
        tag = descendant.tag
        if isinstance(tag, str) and tag.startswith(prefix):
            descendant.tag = tag[len(prefix) :]
    etree.cleanup_namespaces(element)
    parts = [escape(element.text or "", quote=False)]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def text_value(
    element: etree._Element,
    context: Context,
    inherited_language: str | None,
    default_type: str = PLAIN,
    *,
    entry_text: bool = False,
) -> TextValue:
    """Reads a text construct: plain text, escaped HTML, base64 or inline XHTML.

    HTML is sanitised, unless it is an entry's text (``entry_text``) in a document read with
    ``raw_entry_html``.
    """
    declared = (element.get("type") or "").strip().lower()
    mode = (element.get("mode") or "").strip().lower()
    is_atom = context.is_atom
    kind = _media_type(declared, default_type, is_atom)
    if kind == PLAIN and not declared and element.get("mode") == "escaped":
        kind = HTML
    if context.format == "atom10" and _is_binary_type(kind):
        mode = "base64"  # RFC 4287 3.1.1: other media types are base64-encoded
    has_children = len(element) > 0
    if mode == "base64":
        try:
            raw = base64.b64decode(plain(element), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            raw = plain(element)
    elif (
        kind == XHTML
        or mode == "xml"
        or (has_children and any(isinstance(c.tag, str) for c in element))
    ):
        container = element
        children = [child for child in element if isinstance(child.tag, str)]
        # Atom 1.0 wraps inline XHTML in one xhtml:div that is not part of the content.
        if (
            (declared == "xhtml" or (context.format == "atom10" and kind == XHTML))
            and len(children) == 1
            and children[0].tag == XHTML_DIV
            and not (element.text or "").strip()
        ):
            container = children[0]
        raw = inner_markup(container)
        if kind == PLAIN:
            kind = HTML
    else:
        raw = plain(element) if has_children else (element.text or "")
    raw = raw.strip()
    if context.repair_c1:
        raw = repair_text(raw)
    if kind == PLAIN and not is_atom and looks_like_html(raw):
        kind = HTML
    element_base = base(element, context)
    if kind in (HTML, XHTML):
        raw = sanitised(raw, element_base, context, entry_text=entry_text)
    src = web_url(element.get("src"), element, context, attribute_name="src") if is_atom else None
    return TextValue(raw, kind, language(element, inherited_language), element_base, src)


def _media_type(declared: str, default_type: str, is_atom: bool) -> str:
    """The media type a text construct's ``type`` attribute names (Atom's words or MIME)."""
    if not (is_atom or declared):
        return default_type
    if declared in ("", "text", "text/plain"):
        return PLAIN if is_atom or not declared else default_type
    if declared in ("html", "text/html", "escaped-html"):
        return HTML
    if declared in ("xhtml", "application/xhtml+xml"):
        return XHTML
    if "/" in declared:
        return declared
    return default_type


def xhtml_body(
    element: etree._Element, context: Context, inherited_language: str | None, *, entry_text: bool
) -> TextValue:
    """An inline XHTML body (xhtml:body, xhtml:div) as content."""
    element_base = base(element, context)
    value = sanitised(inner_markup(element).strip(), element_base, context, entry_text=entry_text)
    return TextValue(value, XHTML, language(element, inherited_language), element_base)


def sanitised(markup: str, markup_base: str | None, context: Context, *, entry_text: bool) -> str:
    """HTML made safe, or left as written when it is an entry's and the document keeps those raw."""
    if entry_text and context.raw_entry_html:
        return markup
    if "<" not in markup and "&" not in markup and ">" not in markup:
        return markup.strip()  # no tag, no reference: nothing the sanitiser would change
    return sanitize_html(markup, FEED_CONTENT, base_url=markup_base).strip()


def _is_binary_type(kind: str) -> bool:
    return "/" in kind and not (
        kind.startswith("text/") or kind.endswith("+xml") or kind.endswith("/xml")
    )
