"""RDF Site Summary (RSS 1.0, and Netscape's RSS 0.90): what its layout adds to RSS's.

RSS 1.0 puts the items, the image and the text input beside the channel, under rdf:RDF, and
names each item by its rdf:about. Feeds mix the layouts up, so ``rss.read`` accepts either in
any RSS document, with these functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from lxml import etree

from dateline.wire.adapters.xml import common
from dateline.wire.adapters.xml.namespaces import RDF_ABOUT, local_name
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.domain.records import Image, TextInput

_Described = TypeVar("_Described", Image, TextInput)


def item_id(element: etree._Element) -> str | None:
    """An RSS 1.0 item's name (rdf:about), which is its id when it has no other."""
    about = element.get(RDF_ABOUT)
    return about.strip() if about else None


def beside_channel(root: etree._Element, context: Context) -> tuple[Image | None, TextInput | None]:
    """The image and text input written beside the channel, as RSS 1.0 does."""
    if not any(local_name(child.tag) in ("image", "textinput") for child in child_elements(root)):
        return None, None
    children = Children(root, context)
    return common.image(children, context), common.text_input(children, context)


def fuller(in_channel: _Described | None, beside: _Described | None) -> _Described | None:
    """The channel's own image or text input, unless it is only RSS 1.0's reference to the one
    written beside the channel (``<image rdf:resource="..."/>``, which says at most its URL):
    then the one beside it, whole."""
    if in_channel is None or beside is None:
        return in_channel or beside
    if isinstance(in_channel, Image):
        is_reference = in_channel == Image(url=in_channel.url)
    else:
        is_reference = in_channel == TextInput()
    return beside if is_reference else in_channel


def items(root: etree._Element, channel: etree._Element | None) -> Iterator[etree._Element]:
    """The items: in the channel (RSS 2.0), then beside it under the root (RSS 1.0 and 0.90)."""
    for parent in (channel, root) if channel is not None else (root,):
        for child in child_elements(parent):
            if local_name(child.tag) == "item":
                yield child
