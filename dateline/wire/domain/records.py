"""What a parsed feed is, whatever format it came in: frozen records, all text as str.

Every article Dateline knows enters as an ``Entry`` of a ``ParsedFeed``. The records are plain
data: no parsing here, so tests, fakes and other apps can build them directly. Dates are aware
UTC datetimes, or None when the feed gave none or gave one we could not read (never a guess).

Text that may carry markup (titles, summaries, content, rights...) comes as a ``TextValue`` that
says what kind of text it is: ``text/plain`` (show as is), ``text/html`` (already sanitised by the
feed-content policy, relative URLs resolved) or ``application/xhtml+xml`` (same, from inline XHTML).
Each such field is one ``TextValue``: ``entry.title.value`` is the text, ``entry.title.type`` what
kind of text it is (no separate plain copy beside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PLAIN = "text/plain"
HTML = "text/html"
XHTML = "application/xhtml+xml"


@dataclass(frozen=True, slots=True)
class TextValue:
    """A piece of feed text and what it is: its media type, language and base URL."""

    value: str
    type: str = PLAIN
    language: str | None = None
    base: str | None = None
    # Atom out-of-line content (content src="..."): where the content itself is; value is "".
    src: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """An author, contributor or publisher: any of the three parts may be missing."""

    name: str | None = None
    email: str | None = None
    uri: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    rel: str = "alternate"
    type: str | None = None
    title: str | None = None
    length: str | None = None
    hreflang: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    term: str
    scheme: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A file attached to an entry (podcast audio, a photo): RSS enclosure or Atom rel=enclosure."""

    url: str
    type: str | None = None
    length: str | None = None


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A Media RSS content or thumbnail element (media:content, media:thumbnail)."""

    url: str
    type: str | None = None
    medium: str | None = None
    width: str | None = None
    height: str | None = None
    duration: str | None = None
    file_size: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """What Media RSS says about an entry beyond its files."""

    contents: tuple[MediaItem, ...] = ()
    thumbnails: tuple[MediaItem, ...] = ()
    title: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    credits: tuple[Person, ...] = ()
    rating: str | None = None
    license: str | None = None
    player: str | None = None
    restriction: str | None = None


@dataclass(frozen=True, slots=True)
class Geometry:
    """A GeoRSS / GML shape: ``type`` is Point, LineString, Polygon or Box.

    ``coordinates`` follow GeoJSON order, (longitude, latitude[, height]): one position for a
    Point, a list of positions for a LineString or Box, a list of rings for a Polygon. GML in
    a projected reference system (srsName other than WGS 84 latitude/longitude) keeps the
    feed's own axis order (easting, northing), which is not longitude/latitude.
    ``UNREADABLE_GEOMETRY`` (type "", no coordinates) says the entry had a location element
    whose coordinates could not be read (too few, not numbers): known to be there, not guessed.
    """

    type: str
    coordinates: (
        tuple[float, ...]
        | tuple[tuple[float, ...], ...]
        | tuple[tuple[tuple[float, ...], ...], ...]
    )


UNREADABLE_GEOMETRY = Geometry("", ())


@dataclass(frozen=True, slots=True)
class Itunes:
    """Podcast metadata from the iTunes namespace (feed or entry level)."""

    author: str | None = None
    subtitle: str | None = None
    summary: str | None = None
    explicit: bool | None = None
    block: bool = False
    duration: str | None = None
    image: str | None = None
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    owner: Person | None = None
    episode: str | None = None
    season: str | None = None
    episode_type: str | None = None


@dataclass(frozen=True, slots=True)
class Chapter:
    """A Podlove Simple Chapter (psc:chapter)."""

    start: str  # as written, Normal Play Time ("00:03:07.250")
    offset: timedelta | None = None  # the same, read; None when unreadable
    title: str | None = None
    href: str | None = None
    image: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """The feed's picture (RSS image, Atom logo)."""

    url: str | None = None
    title: str | None = None
    link: str | None = None
    width: int | None = None
    height: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Generator:
    name: str | None = None
    uri: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True)
class Cloud:
    """RSS 2.0 rssCloud: where to register for change notifications."""

    domain: str | None = None
    port: str | None = None
    path: str | None = None
    register_procedure: str | None = None
    protocol: str | None = None


@dataclass(frozen=True, slots=True)
class TextInput:
    title: str | None = None
    description: str | None = None
    name: str | None = None
    link: str | None = None


@dataclass(frozen=True, slots=True)
class InReplyTo:
    """Atom Threading (RFC 4685) thr:in-reply-to: the resource a comment or reply answers."""

    ref: str  # the id of what is answered
    href: str | None = None  # where it can be read
    type: str | None = None
    source: str | None = None  # a feed that holds it


@dataclass(frozen=True, slots=True)
class Source:
    """The feed an entry was first published in (Atom source, RSS source)."""

    title: TextValue | None = None
    url: str | None = None
    id: str | None = None
    link: str | None = None
    links: tuple[Link, ...] = ()
    updated: datetime | None = None
    authors: tuple[Person, ...] = ()
    contributors: tuple[Person, ...] = ()
    categories: tuple[Category, ...] = ()
    generator: Generator | None = None
    icon: str | None = None
    logo: str | None = None
    rights: TextValue | None = None
    subtitle: TextValue | None = None


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the feed says about itself."""

    title: TextValue | None = None
    subtitle: TextValue | None = None
    link: str | None = None
    links: tuple[Link, ...] = ()
    id: str | None = None
    language: str | None = None
    icon: str | None = None
    logo: str | None = None
    image: Image | None = None
    updated: datetime | None = None
    published: datetime | None = None
    authors: tuple[Person, ...] = ()
    contributors: tuple[Person, ...] = ()
    publisher: Person | None = None
    rights: TextValue | None = None
    info: TextValue | None = None
    categories: tuple[Category, ...] = ()
    generator: Generator | None = None
    docs: str | None = None
    ttl: str | None = None
    cloud: Cloud | None = None
    text_input: TextInput | None = None
    itunes: Itunes | None = None
    # Where the feed says it has moved (itunes:new-feed-url, RSS <redirect><newLocation>).
    new_location: str | None = None
    # A feed of replies (Blogger's comment feeds) may say what it answers, as entries do.
    in_reply_to: tuple[InReplyTo, ...] = ()
    # The raw date strings, kept because "unknown" dates still tell an editor something.
    updated_text: str | None = None
    published_text: str | None = None
    created: datetime | None = None
    created_text: str | None = None
    # dcterms:valid, a DCMI period ("start=...; end=..."): when the feed's content holds.
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    valid_from_text: str | None = None
    valid_until_text: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed: usually an article."""

    # Stable: the guid / atom:id, else the link, else a hash of the entry's content.
    id: str
    title: TextValue | None = None
    link: str | None = None
    links: tuple[Link, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    created: datetime | None = None
    expired: datetime | None = None
    authors: tuple[Person, ...] = ()
    contributors: tuple[Person, ...] = ()
    publisher: Person | None = None
    categories: tuple[Category, ...] = ()
    # The entry's summary; when the feed gives only content, the first content.
    summary: TextValue | None = None
    content: tuple[TextValue, ...] = ()
    rights: TextValue | None = None
    enclosures: tuple[Enclosure, ...] = ()
    media: Media | None = None
    source: Source | None = None
    comments: str | None = None
    # True when ``id`` came from the feed (guid, atom:id); False when Dateline derived it.
    id_from_feed: bool = True
    # True when the entry had no link of its own and ``link`` is its permalink guid.
    link_from_id: bool = False
    language: str | None = None
    # A picture for the entry (iTunes image, else the first Media RSS thumbnail).
    image: str | None = None
    where: Geometry | None = None
    itunes: Itunes | None = None
    chapters: tuple[Chapter, ...] = ()
    chapters_version: str | None = None  # the Podlove Simple Chapters version the list follows
    license: str | None = None
    comments_feed: str | None = None
    updated_text: str | None = None
    published_text: str | None = None
    created_text: str | None = None
    expired_text: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    valid_from_text: str | None = None
    valid_until_text: str | None = None
    # wfw:comment: where the CommentAPI takes new comments (not the comments feed).
    comment_api: str | None = None
    in_reply_to: tuple[InReplyTo, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The result of parsing one feed document.

    ``well_formed`` is False when the document broke its format's rules (bad XML, undefined
    entity, wrong encoding label) but could still be read: ``warnings`` then says what was wrong
    first. ``warnings`` also says what was left out of a well-formed one (a URL whose scheme a
    link may not have, see domain/url_schemes.py).
    ``format`` names format and version: rss090, rss091u, rss091n, rss092, rss093, rss094, rss20,
    rss10, atom03, atom10, cdf, json10, json11, or "" when the dialect is unknown.
    ``encoding`` is the character encoding the bytes were finally read with.
    """

    feed: FeedInfo
    entries: tuple[Entry, ...]
    warnings: tuple[str, ...] = ()
    format: str = ""
    encoding: str = "utf-8"
    well_formed: bool = True
    # (prefix, URI) pairs the document declared, prefix "" for the default namespace.
    namespaces: tuple[tuple[str, str], ...] = ()
