"""Podcasts: the iTunes namespace (feed or episode) and Podlove Simple Chapters.

``read`` gives one ``Itunes`` record from an element's itunes:* children, or None when it has
none. ``itunes:new-feed-url`` is not part of it: it says where the feed moved (``common``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from lxml import etree

from dateline.wire.adapters.xml.common import person
from dateline.wire.adapters.xml.namespaces import local_name
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.adapters.xml.text import (
    attribute,
    plain,
    url_attribute,
    url_text,
    web_url,
)
from dateline.wire.domain.records import Chapter, Itunes

_PLAIN_FIELDS = {
    "author": "author",
    "subtitle": "subtitle",
    "summary": "summary",
    "duration": "duration",
    "episode": "episode",
    "season": "season",
    "episodetype": "episode_type",
}


def read(children: Children, context: Context) -> Itunes | None:
    elements = [
        (key, element)
        for key, element in children.of_vocabulary("itunes")
        if key != "itunes:new-feed-url"
    ]
    if not elements:
        return None
    fields: dict[str, Any] = {}
    keywords: list[str] = []
    categories: list[str] = []
    for key, element in elements:
        name = key[7:]
        if name == "category":
            categories.extend(_categories(element))
        elif name == "keywords":
            keywords.extend(word.strip() for word in plain(element).split(",") if word.strip())
        elif name == "image":
            if attribute(element, "href", "url") is not None:
                fields["image"] = url_attribute(element, context, "href", "url")
            else:
                fields["image"] = url_text(element, context)
        elif name == "explicit":
            # Apple's values are exact lower-case words; anything else says nothing.
            fields["explicit"] = _explicit(element.text or "")
        elif name == "block":
            fields["block"] = (element.text or "") == "yes"
        elif name == "link" and element.get("rel") == "image":
            fields["image"] = url_attribute(element, context, "href")
        elif name == "owner":
            fields["owner"] = person(element, context)
        elif name in _PLAIN_FIELDS:
            fields[_PLAIN_FIELDS[name]] = plain(element) or None
    return Itunes(keywords=tuple(keywords), categories=tuple(categories), **fields)


def _categories(element: etree._Element) -> list[str]:
    """An itunes:category and the subcategories inside it."""
    found = []
    text = attribute(element, "text")
    if text:
        found.append(text)
    for sub in child_elements(element):
        if local_name(sub.tag) == "category":
            sub_text = attribute(sub, "text")
            if sub_text:
                found.append(sub_text)
    return found


def _explicit(text: str) -> bool | None:
    if text in ("yes", "true", "explicit"):
        return True
    if text in ("no", "false", "clean"):
        return False
    return None


def chapters(children: Children, context: Context) -> tuple[tuple[Chapter, ...], str | None]:
    """An episode's Podlove chapters and the version they follow: the first list that has any
    (the format allows one per episode)."""
    version = None
    for element in children.all("psc:chapters"):
        found = tuple(_chapters(element, context))
        version = attribute(element, "version")
        if found:
            return found, version
    return (), version


def _chapters(element: etree._Element, context: Context) -> list[Chapter]:
    found = []
    for child in child_elements(element):
        if local_name(child.tag) != "chapter":
            continue
        start = attribute(child, "start")
        if start:
            image = attribute(child, "image")
            found.append(
                Chapter(
                    start=start,
                    offset=_chapter_offset(start),
                    title=attribute(child, "title"),
                    href=url_attribute(child, context, "href"),
                    image=web_url(image, child, context, attribute_name="image", as_written=True),
                )
            )
    return found


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
