"""RSS 0.9x and 2.0 (and, with ``rdf``, RSS 1.0 and 1.1): a channel of items."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from dateline.wire.adapters.xml import common, entries, rdf
from dateline.wire.adapters.xml.namespaces import local_name
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.adapters.xml.text import language
from dateline.wire.domain.records import Entry, FeedInfo


def read(root: etree._Element, context: Context) -> tuple[FeedInfo, list[Entry]]:
    channel = next(
        (child for child in child_elements(root) if local_name(child.tag) == "channel"), None
    )
    feed_language = language(root, context.language)
    if channel is not None:
        feed_language = language(channel, feed_language)
        info = entries.feed_info(
            Children(channel, context), context, feed_language, description_is_subtitle=True
        )
    else:
        info = FeedInfo(language=feed_language)
    image, text_input = rdf.beside_channel(root, context)
    info = replace(
        info,
        new_location=info.new_location or _redirect(root, context),
        image=rdf.fuller(info.image, image),
        text_input=rdf.fuller(info.text_input, text_input),
    )
    if context.fallback_base is None and info.link and "://" in info.link:
        # Relative links in items resolve against the feed's own link when nothing better exists.
        context = replace(context, fallback_base=info.link)
    item_language = info.language or feed_language
    return info, [
        entries.entry(item, context, language(item, item_language))
        for item in rdf.items(root, channel)
    ]


def _redirect(root: etree._Element, context: Context) -> str | None:
    """A moved feed may say so in <redirect><newLocation>, beside (or without) the channel."""
    for child in child_elements(root):
        if local_name(child.tag) == "redirect":
            moved = common.new_location(Children(child, context), context)
            if moved:
                return moved
    return None
