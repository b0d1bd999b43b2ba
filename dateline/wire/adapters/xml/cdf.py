"""Microsoft's Channel Definition Format: a CHANNEL of ITEMs, links and dates as attributes."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from dateline.wire.adapters.xml import common, entries
from dateline.wire.adapters.xml.namespaces import local_name
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.adapters.xml.text import Dated, attribute, language, url_attribute
from dateline.wire.domain.dates import parse_date
from dateline.wire.domain.records import Entry, FeedInfo, Link


def read(root: etree._Element, context: Context) -> tuple[FeedInfo, list[Entry]]:
    feed_language = language(root, context.language)
    cdf_base = url_attribute(root, context, "base", "BASE")
    if cdf_base:
        context = replace(context, fallback_base=cdf_base)
    children = Children(root, context)
    info = entries.feed_info(children, context, feed_language, description_is_subtitle=True)
    own_link = _attribute_link(root, context)
    if own_link is not None:
        info = replace(info, link=own_link.href, links=(*info.links, own_link))
    info = _with_logos(info, children, context)
    last_modified = _last_modified(root)
    if last_modified is not None and common.updated(children) is None:
        info = replace(info, updated=last_modified[0], updated_text=last_modified[1] or None)
    return info, [
        entries.entry(
            item,
            context,
            feed_language,
            attribute_link=_attribute_link(item, context),
            default_updated=_last_modified(item),
        )
        for item in child_elements(root)
        if local_name(item.tag) == "item"
    ]


def _attribute_link(element: etree._Element, context: Context) -> Link | None:
    href = url_attribute(element, context, "href", "HREF")
    return Link(href=href, rel="alternate", type="text/html") if href else None


def _with_logos(info: FeedInfo, children: Children, context: Context) -> FeedInfo:
    """CDF names its pictures in attributes: <LOGO HREF="..." STYLE="ICON">. STYLE="ICON" is
    the 16x16 icon; IMAGE and IMAGE-WIDE are logos (the first of those the channel gives)."""
    icon, logo = info.icon, info.logo
    for element in children.all("logo"):
        href = url_attribute(element, context, "href", "HREF")
        if not href:
            continue
        if (attribute(element, "style", "STYLE") or "").upper() == "ICON":
            icon = icon or href
        else:
            logo = logo or href
    return replace(info, icon=icon, logo=logo)


def _last_modified(element: etree._Element) -> Dated | None:
    text = attribute(element, "lastmod", "LASTMOD")
    return (parse_date(text), text) if text else None
