"""Media RSS (media:*): an entry's media files, thumbnails and what is said about them.

``read`` gives one ``Media`` record from an element's media:* children (media:group's and
media:content's own media:* children included), or None when it has none. media:category is a
category like any other (see ``common.categories``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from dateline.wire.adapters.xml.namespaces import dispatch_key
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.adapters.xml.text import attribute, plain, url_attribute, web_url
from dateline.wire.domain.records import Media, MediaItem, Person

_TEXT_FIELDS = frozenset({"title", "description", "rating", "restriction"})


@dataclass(slots=True)
class _Found:
    """What one entry's Media RSS elements said so far (local to ``read``)."""

    contents: list[MediaItem] = field(default_factory=list)
    thumbnails: list[MediaItem] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    credits: list[Person] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)


def read(children: Children, context: Context) -> Media | None:
    elements = [
        (key, element)
        for key, element in children.of_vocabulary("media")
        if key != "media:category"
    ]
    if not elements:
        return None
    found = _Found()
    for key, element in elements:
        _read_element(key[6:], element, context, found)
    return Media(
        contents=tuple(found.contents),
        thumbnails=tuple(found.thumbnails),
        keywords=tuple(found.keywords),
        credits=tuple(found.credits),
        **found.texts,
    )


def _read_element(name: str, element: etree._Element, context: Context, found: _Found) -> None:
    if name == "group":
        _read_nested(element, context, found, "")
    elif name == "content":
        url = url_attribute(element, context, "url")
        if url:
            found.contents.append(
                MediaItem(
                    url=url,
                    type=attribute(element, "type"),
                    medium=attribute(element, "medium"),
                    width=attribute(element, "width"),
                    height=attribute(element, "height"),
                    duration=attribute(element, "duration"),
                    file_size=attribute(element, "filesize", "fileSize"),
                )
            )
        _read_nested(element, context, found, "media:content")
    elif name == "thumbnail":
        url = url_attribute(element, context, "url")
        if url:
            found.thumbnails.append(
                MediaItem(
                    url=url,
                    width=attribute(element, "width"),
                    height=attribute(element, "height"),
                )
            )
    elif name == "keywords":
        found.keywords.extend(word.strip() for word in plain(element).split(",") if word.strip())
    elif name == "credit":
        found.credits.append(Person(name=plain(element) or None))
    elif name == "player":
        url = attribute(element, "url")
        found.texts["player"] = web_url(
            url, element, context, attribute_name="url", as_written=True
        )
    elif name == "license":
        # A link to the license (href), else its name, which may be a URL too.
        href = attribute(element, "href")
        written, where = (href, "href") if href else (plain(element), "")
        found.texts["license"] = web_url(
            written, element, context, attribute_name=where, as_written=True
        )
    elif name in _TEXT_FIELDS:
        found.texts[name] = plain(element) or None


def _read_nested(element: etree._Element, context: Context, found: _Found, skipped: str) -> None:
    """The media:* children of a media:group or media:content (but not ``skipped`` ones)."""
    for child in child_elements(element):
        child_key = dispatch_key(child.tag)
        if child_key.startswith("media:") and child_key != skipped:
            _read_element(child_key[6:], child, context, found)
