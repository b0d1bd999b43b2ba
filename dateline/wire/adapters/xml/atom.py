"""Atom 1.0 (RFC 4287) and its drafts (0.3 and earlier): a feed of entries."""

from __future__ import annotations

from lxml import etree

from dateline.wire.adapters.xml import entries
from dateline.wire.adapters.xml.namespaces import local_name
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.adapters.xml.text import language
from dateline.wire.domain.records import Entry, FeedInfo

_ENTRIES = frozenset({"entry", "item"})


def read(root: etree._Element, context: Context) -> tuple[FeedInfo, list[Entry]]:
    feed_language = language(root, context.language)
    info = entries.feed_info(
        Children(root, context), context, feed_language, description_is_subtitle=False
    )
    return info, [
        entries.entry(child, context, language(child, feed_language))
        for child in child_elements(root)
        if local_name(child.tag) in _ENTRIES
    ]
