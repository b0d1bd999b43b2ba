"""OPML subscription lists in and out.

Reading treats the file as hostile: it is refused past `MAX_BYTES` or `MAX_OUTLINES`, and any
DOCTYPE is refused outright, so no entity can expand (billion laughs) or reach a file or URL
(external entities). OPML never needs a DOCTYPE. The folders an outline sits in, and its
`category` attribute, become the feed's labels; a feed filed under several folders (one outline
in each, as readers that allow it export it) gets the labels of all of them. `category` cannot
carry a label holding "," or "/" (its separators, with no escape), so such a label is written as
a folder of its own holding the feed once more. Only web addresses are followed: an outline
whose feed URL is not http(s) (a `javascript:` or `file:` one, a relative path) or is longer
than a stored URL can be is skipped and counted, and the old `feed:` scheme is read as http.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit
from xml.parsers import expat

from dateline.core.xml_text import NOT_IN_XML
from dateline.wire.exceptions import WireError

MAX_BYTES = 5 * 1024 * 1024
MAX_OUTLINES = 20_000
MAX_DEPTH = 20
MAX_URL_LENGTH = 2000  # what Feed.url and Outlet.home_url hold


class OpmlError(WireError):
    """The file is not an OPML subscription list Dateline can read safely."""


@dataclass(frozen=True, slots=True)
class Subscription:
    feed_url: str
    title: str = ""
    home_url: str = ""
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OpmlFile:
    subscriptions: tuple[Subscription, ...]
    # Feed URLs of outlines that were not followed, as the file wrote them.
    skipped: tuple[str, ...] = ()


def web_address(url: str) -> str | None:
    """``url`` if it is an absolute http(s) URL short enough to store; `feed:` read as http."""
    url = url.strip()
    if url[:5].lower() == "feed:":
        rest = url[5:]
        url = rest if rest[:5].lower() in ("http:", "https") else "http:" + rest
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url if len(url) <= MAX_URL_LENGTH else None


# What separates labels and the steps of a label's path in the `category` attribute.
_CATEGORY_SEPARATORS = (",", "/")


def _fits_category(label: str) -> bool:
    return not any(separator in label for separator in _CATEGORY_SEPARATORS)


def _labels_from_attribute(value: str) -> list[str]:
    # OPML 2.0: comma-separated; each may be a slash path ("/World/Middle East"): use its leaf.
    labels = []
    for part in value.split(","):
        leaf = part.strip().rstrip("/").rsplit("/", 1)[-1].strip()
        if leaf:
            labels.append(leaf)
    return labels


def read_opml(data: bytes) -> list[Subscription]:
    """Every feed in the file, in document order, each feed URL once."""
    return list(parse_opml(data).subscriptions)


def parse_opml(data: bytes) -> OpmlFile:
    """Every feed in the file, in document order, each feed URL once, and what was skipped."""
    if len(data) > MAX_BYTES:
        raise OpmlError(f"the OPML file is {len(data)} bytes; at most {MAX_BYTES} are read")
    parser = expat.ParserCreate()
    folders: list[str | None] = []  # one slot per open outline: its folder name, or None
    found: dict[str, Subscription] = {}
    skipped: list[str] = []
    count = 0

    def refuse_doctype(*_: object) -> None:
        raise OpmlError("the OPML file declares a DOCTYPE; refused (entities could expand)")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        if name != "outline":
            return
        count += 1
        if count > MAX_OUTLINES or len(folders) >= MAX_DEPTH:
            raise OpmlError(
                f"the OPML file has more than {MAX_OUTLINES} outlines or {MAX_DEPTH} levels"
            )
        written = (attrs.get("xmlUrl") or attrs.get("xmlurl") or "").strip()
        title = (attrs.get("title") or attrs.get("text") or "").strip()
        if not written:
            folders.append(title or None)
            return
        folders.append(None)
        url = web_address(written)
        if url is None:
            skipped.append(written)
            return
        labels = [f for f in folders if f] + _labels_from_attribute(attrs.get("category", ""))
        earlier = found.get(url)
        if earlier is not None:
            # The same feed filed elsewhere too: its first outline's title, every label.
            merged = tuple(dict.fromkeys([*earlier.labels, *labels]))
            found[url] = Subscription(earlier.feed_url, earlier.title, earlier.home_url, merged)
            return
        found[url] = Subscription(
            feed_url=url,
            title=title,
            home_url=web_address(attrs.get("htmlUrl") or "") or "",
            labels=tuple(dict.fromkeys(labels)),
        )

    def end(name: str) -> None:
        if name == "outline" and folders:
            folders.pop()

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise OpmlError(f"the OPML file is not well-formed XML: {error}") from error
    return OpmlFile(tuple(found.values()), tuple(skipped))


def _xml_text(text: str) -> str:
    return NOT_IN_XML.sub("", text)


def write_opml(subscriptions: Iterable[Subscription], *, title: str, now: datetime) -> bytes:
    """An OPML 2.0 document: feeds grouped under their first label, the rest at the top.

    Further labels go in `category`, except one holding "," or "/": the feed is filed under a
    folder of that name as well, which every reader understands and reads back whole.

    Titles and labels come from feeds (a JSON Feed's title may hold a control character):
    what XML cannot carry is left out, so every reader can read the file.
    """
    subscriptions = (
        Subscription(
            feed_url=_xml_text(sub.feed_url),
            title=_xml_text(sub.title),
            home_url=_xml_text(sub.home_url),
            labels=tuple(label for label in map(_xml_text, sub.labels) if label),
        )
        for sub in subscriptions
    )
    title = _xml_text(title)
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now.astimezone(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}

    def folder(name: str) -> ET.Element:
        if name not in folders:
            folders[name] = ET.SubElement(body, "outline", text=name, title=name)
        return folders[name]

    for sub in subscriptions:
        attrs = {"type": "rss", "text": sub.title or sub.feed_url, "xmlUrl": sub.feed_url}
        if sub.title:
            attrs["title"] = sub.title
        if sub.home_url:
            attrs["htmlUrl"] = sub.home_url
        further = sub.labels[1:]
        in_category = [label for label in further if _fits_category(label)]
        if in_category:
            attrs["category"] = ",".join(in_category)
        ET.SubElement(folder(sub.labels[0]) if sub.labels else body, "outline", attrs)
        filed_again = {k: v for k, v in attrs.items() if k != "category"}
        for label in further:
            if not _fits_category(label):
                ET.SubElement(folder(label), "outline", filed_again)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
