"""A whole XML document into a ``ParsedFeed``: read the tree, name the format, hand it over.

``build_well_formed_utf8`` is the fast path (UTF-8 bytes parsed strictly as they are);
``build`` takes decoded text and may repair it (see ``tree``).
"""

from __future__ import annotations

from lxml import etree

from dateline.wire.adapters.xml import atom, cdf, rss
from dateline.wire.adapters.xml.namespaces import local_name, namespace_of
from dateline.wire.adapters.xml.reading import Context
from dateline.wire.adapters.xml.text import uniform_base
from dateline.wire.adapters.xml.tree import (
    detect_format,
    may_hold_c1,
    parse_tree,
    parse_well_formed,
)
from dateline.wire.domain.records import ParsedFeed
from dateline.wire.exceptions import ParseError


def build_well_formed_utf8(
    data: bytes, *, base_url: str | None, language: str | None = None, raw_entry_html: bool = False
) -> ParsedFeed | None:
    """UTF-8 bytes without a DOCTYPE, parsed strictly as they are.

    Returns None when the bytes are not well-formed XML (or not UTF-8): the caller then
    decodes them with recovery and calls ``build``. ParseError when well-formed but no feed.
    """
    root = parse_well_formed(data, base_url)
    if root is None:
        return None
    return _from_tree(
        root, [], "", base_url, language,
        repair_c1=may_hold_c1(data), raw_entry_html=raw_entry_html,
        has_xml_base=b"xml:base" in data,
    )  # fmt: skip


def build(
    text: str, *, base_url: str | None, language: str | None = None, raw_entry_html: bool = False
) -> ParsedFeed:
    """Parses decoded XML text into a ParsedFeed; raises ParseError if it is no feed.

    (Every element's base is asked of lxml here: a declared entity may hold an xml:base.)
    """
    root, warnings, doctype = parse_tree(text, base_url)
    return _from_tree(
        root, warnings, doctype, base_url, language,
        repair_c1=True, raw_entry_html=raw_entry_html, has_xml_base=True,
    )  # fmt: skip


def _from_tree(
    root: etree._Element,
    warnings: list[str],
    doctype: str,
    base_url: str | None,
    language: str | None,
    *,
    repair_c1: bool,
    raw_entry_html: bool,
    has_xml_base: bool,
) -> ParsedFeed:
    if not isinstance(root.tag, str):
        raise ParseError("not a feed: the document has no root element")
    feed_format = detect_format(root, doctype)
    if not feed_format:
        local = local_name(root.tag)
        if local in ("html", "head", "body"):
            raise ParseError("not a feed: an HTML page")
        raise ParseError(f"not a feed: an XML document whose root element is <{local}>")
    uniform, document_base = uniform_base(base_url, has_xml_base)
    context = Context(
        format=feed_format,
        fallback_base=base_url,
        warnings=list(warnings),  # the tree's say whether it was well-formed; readers add others
        language=language,
        repair_c1=repair_c1,
        raw_entry_html=raw_entry_html,
        own_namespace=namespace_of(root.tag),
        uniform_base=uniform,
        document_base=document_base,
    )
    if feed_format.startswith("atom"):
        feed_info, entries = atom.read(root, context)
    elif feed_format == "cdf":
        feed_info, entries = cdf.read(root, context)
    else:
        feed_info, entries = rss.read(root, context)
    namespaces = tuple(sorted((prefix or "", uri) for prefix, uri in root.nsmap.items()))
    return ParsedFeed(
        feed=feed_info,
        entries=tuple(entries),
        warnings=tuple(context.warnings),
        format=feed_format,
        well_formed=not warnings,
        namespaces=namespaces,
    )
