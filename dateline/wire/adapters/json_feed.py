"""JSON Feed 1.0 / 1.1 documents into records (stdlib json only).

JSON Feed is strict JSON, so there is no lenient path: a document that is not JSON, or whose
top level is not an object with ``items``, raises ParseError. Fields of the wrong JSON type are
ignored with a warning rather than failing the whole feed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from typing import Any
from urllib.parse import urljoin

from dateline.core.sanitize import FEED_CONTENT, sanitize_html
from dateline.wire.domain import url_schemes
from dateline.wire.domain.dates import parse_date
from dateline.wire.domain.records import (
    HTML,
    PLAIN,
    Category,
    Enclosure,
    Entry,
    FeedInfo,
    Image,
    Link,
    ParsedFeed,
    Person,
    TextValue,
)
from dateline.wire.exceptions import ParseError

_VERSIONS = {
    "https://jsonfeed.org/version/1": "json10",
    "https://jsonfeed.org/version/1.1": "json11",
}


def _string(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _url(
    value: Any,
    base: str | None,
    where: str,
    dropped: list[str],
    schemes: frozenset[str] = url_schemes.WEB,
) -> str | None:
    """A URL field's value, resolved against ``base``, if its scheme is one of ``schemes``
    (see domain/url_schemes.py); else None, and ``dropped`` gains a warning naming ``where``."""
    url = _string(value)
    if url is not None and base is not None:
        with contextlib.suppress(ValueError):  # a malformed URL stays as written
            url = urljoin(base, url)
    if url is None or url_schemes.is_allowed(url, schemes):
        return url
    warning = url_schemes.dropped_warning(url, where, schemes)
    if warning not in dropped:
        dropped.append(warning)
    return None


def _people(container: dict[str, Any], base: str | None, dropped: list[str]) -> tuple[Person, ...]:
    found: list[Any] = []
    if isinstance(container.get("authors"), list):
        found.extend(container["authors"])
    elif isinstance(container.get("author"), dict):
        found.append(container["author"])
    people = []
    for item in found:
        if isinstance(item, dict):
            person = Person(
                name=_string(item.get("name")),
                uri=_url(item.get("url"), base, "an author's url", dropped, url_schemes.PERSON),
            )
            if person.name or person.uri:
                people.append(person)
    return tuple(people)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(value: Any) -> Any:
    """JSON strings as text can be stored: escapes for NUL or for half a surrogate pair
    (``\\u0000``, ``\\ud800``), which XML could never carry, are dropped or made U+FFFD."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = _LONE_SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable(item) for item in value]
    return value


_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def _read_until_break(text: str) -> dict[str, Any] | None:
    """The top-level members and whole items of a JSON Feed that breaks off (a cut download):
    each member, and each item of ``items``, is decoded in turn until one cannot be. None when
    the text is not a JSON object at all or names no items."""
    document: dict[str, Any] = {}
    position = len(text) - len(text.lstrip(_WHITESPACE))
    if text[position : position + 1] != "{":
        return None
    position += 1
    try:
        while True:
            position = _skip(text, position, ",")
            if text[position : position + 1] in ("}", ""):
                break
            key, position = _DECODER.raw_decode(text, position)
            position = _skip(text, position, ":")
            if key == "items" and text[position : position + 1] == "[":
                items: list[Any] = []
                document["items"] = items
                position += 1
                while True:
                    position = _skip(text, position, ",")
                    if text[position : position + 1] in ("]", ""):
                        position += 1
                        break
                    item, position = _DECODER.raw_decode(text, position)
                    items.append(item)
            else:
                document[str(key)], position = _DECODER.raw_decode(text, position)
    except (ValueError, RecursionError):
        pass  # the break: keep what came before it
    return document if "items" in document else None


def _skip(text: str, position: int, separator: str) -> int:
    """Past whitespace and at most one ``separator``."""
    while text[position : position + 1] and text[position] in _WHITESPACE:
        position += 1
    if text[position : position + 1] == separator:
        position += 1
        while text[position : position + 1] and text[position] in _WHITESPACE:
            position += 1
    return position


def build(
    text: str, *, base_url: str | None, language: str | None = None, raw_entry_html: bool = False
) -> ParsedFeed:
    """Parses a decoded JSON Feed document (``raw_entry_html``: see feeds.parse_feed)."""
    warnings: list[str] = []  # what breaks the format: the feed is not well-formed
    dropped: list[str] = []  # URLs dropped for their scheme: a warning, not a broken feed
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        partial = _read_until_break(text)
        if partial is None:
            raise ParseError("not a feed: invalid JSON", str(error)[:200]) from error
        document = partial
        warnings.append(f"not valid JSON: {str(error)[:200]}")
        warnings.append("the document ends early (truncated?): read what came before the break")
    document = _storable(document)
    if not isinstance(document, dict) or not isinstance(document.get("items", []), list):
        raise ParseError("not a feed: JSON without a JSON Feed object and items list")
    version = _string(document.get("version")) or ""
    feed_format = _VERSIONS.get(version.rstrip("/"), "json")
    if feed_format == "json" and "items" not in document:
        raise ParseError("not a feed: JSON that is not a JSON Feed")
    if feed_format == "json":
        warnings.append(f"unknown JSON Feed version {version!r}")
    home = _url(document.get("home_page_url"), base_url, "home_page_url", dropped)
    # Relative URLs resolve against the home page only if it is a web page: against a
    # javascript: "home" they stayed relative and were lost.
    base = home if home and home.lower().startswith(("http://", "https://")) else base_url
    language = _string(document.get("language")) or language
    title = _string(document.get("title"))
    description = _string(document.get("description"))
    links = []
    if home:
        links.append(Link(href=home, rel="alternate", type="text/html"))
    feed_url = _url(document.get("feed_url"), base_url, "feed_url", dropped)
    if feed_url:
        links.append(Link(href=feed_url, rel="self", type="application/feed+json"))
    icon = _url(document.get("icon"), base, "icon", dropped)
    feed_info = FeedInfo(
        title=TextValue(title, PLAIN, language, base) if title else None,
        subtitle=TextValue(description, PLAIN, language, base) if description else None,
        link=home,
        links=tuple(links),
        id=feed_url,
        language=language,
        icon=_url(document.get("favicon"), base, "favicon", dropped) or icon,
        logo=icon,
        image=Image(url=icon) if icon else None,
        authors=_people(document, base, dropped),
    )
    entries = []
    for position, item in enumerate(document.get("items", [])):
        if not isinstance(item, dict):
            warnings.append(f"item {position} is not an object: skipped")
            continue
        entries.append(_entry(item, base, language, raw_entry_html, dropped))
    return ParsedFeed(
        feed=feed_info,
        entries=tuple(entries),
        warnings=(*warnings, *dropped),
        format=feed_format,
        well_formed=not warnings,
    )


def _entry(
    item: dict[str, Any], base: str | None, language: str | None, raw_html: bool, dropped: list[str]
) -> Entry:
    link = _url(item.get("url"), base, "an item's url", dropped)
    external = _url(item.get("external_url"), base, "an item's external_url", dropped)
    item_language = _string(item.get("language")) or language
    title = _string(item.get("title"))
    content: list[TextValue] = []
    html = _string(item.get("content_html"))
    if html:
        if not raw_html:
            html = sanitize_html(html, FEED_CONTENT, base_url=link or base).strip()
        content.append(TextValue(html, HTML, item_language, link or base))
    plain = _string(item.get("content_text"))
    if plain:
        content.append(TextValue(plain, PLAIN, item_language, link or base))
    summary_text = _string(item.get("summary"))
    summary = TextValue(summary_text, PLAIN, item_language, link or base) if summary_text else None
    if summary is None and content:
        # As for RSS and Atom (records.Entry): an item with only content has it as summary.
        summary = content[0]
    links = []
    if link:
        links.append(Link(href=link, rel="alternate", type="text/html"))
    if external:
        links.append(Link(href=external, rel="related"))
    enclosures = []
    attachments = item.get("attachments")
    if isinstance(attachments, list):
        for attachment in attachments:
            if isinstance(attachment, dict):
                url = _url(attachment.get("url"), base, "an attachment's url", dropped)
                if url:
                    enclosures.append(
                        Enclosure(
                            url=url,
                            type=_string(attachment.get("mime_type")),
                            length=_string(attachment.get("size_in_bytes")),
                        )
                    )
    tags = item.get("tags")
    categories = (
        tuple(Category(term=tag.strip()) for tag in tags if isinstance(tag, str) and tag.strip())
        if isinstance(tags, list)
        else ()
    )
    published_text = _string(item.get("date_published"))
    updated_text = _string(item.get("date_modified"))
    item_id = _string(item.get("id"))
    id_from_feed = item_id is not None
    if item_id is None:
        item_id = (
            link
            or "sha256:"
            + hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()[
                :32
            ]
        )
    return Entry(
        id=item_id,
        title=TextValue(title, PLAIN, item_language, link or base) if title else None,
        link=link or external,
        links=tuple(links),
        published=parse_date(published_text),
        updated=parse_date(updated_text),
        authors=_people(item, base, dropped),
        categories=categories,
        summary=summary,
        content=tuple(content),
        enclosures=tuple(enclosures),
        id_from_feed=id_from_feed,
        language=item_language,
        published_text=published_text,
        updated_text=updated_text,
    )
