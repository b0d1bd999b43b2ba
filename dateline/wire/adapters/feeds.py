"""The wire's one entry point for reading a feed document: ``parse_feed``.

Which path a document takes (see docs/decisions/0010-feed-parsing-paths.md):
- JSON (starts with ``{`` or is served as JSON) -> ``json_feed`` (stdlib json);
- anything else -> ``xml_feed`` (lxml): strict parse, then with HTML entities rewritten, then
  lxml's recovering parser. Flagged, never dropped, when it had to recover.
Bytes are decoded first by ``domain.encoding`` (BOM, HTTP charset, XML declaration, recovery).
"""

from __future__ import annotations

from dataclasses import replace

from dateline.wire.adapters import json_feed, xml_feed
from dateline.wire.domain.encoding import decode, media_type_and_charset
from dateline.wire.domain.records import ParsedFeed
from dateline.wire.exceptions import ParseError

# Larger documents are refused before any work: no real feed comes near this.
MAX_FEED_BYTES = 64 * 1024 * 1024


def parse_feed(
    data: bytes,
    *,
    content_type: str | None = None,
    content_location: str | None = None,
    base_url: str | None = None,
) -> ParsedFeed:
    """Reads one feed document (RSS, RDF, Atom, CDF or JSON Feed) into a ParsedFeed.

    ``content_type`` is the HTTP Content-Type header, if the bytes came over HTTP (its charset
    counts in choosing the encoding). Relative URLs resolve against xml:base, then
    ``content_location`` (the Content-Location header), then ``base_url`` (the URL fetched),
    then the feed's own link. Raises ParseError when the bytes are not a feed at all.
    """
    where = content_location or base_url or ""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError("not a feed: expected bytes", where)
    data = bytes(data)
    if len(data) > MAX_FEED_BYTES:
        raise ParseError(f"feed too large: {len(data):,} bytes (limit {MAX_FEED_BYTES:,})", where)
    if not data.strip():
        raise ParseError("not a feed: the document is empty", where)
    decoded = decode(data, content_type)
    text = decoded.text
    start = text.lstrip("\ufeff \t\r\n")[:1]
    media_type, _ = media_type_and_charset(content_type)
    base = content_location or base_url
    try:
        if start in ("{", "[") or media_type.endswith("json"):
            parsed = json_feed.build(text, base_url=base)
        else:
            parsed = xml_feed.build(text, base_url=base)
    except ParseError as error:
        if where and not error.where:
            raise ParseError(error.what, where) from error.__cause__
        raise
    except (ValueError, LookupError, RecursionError, UnicodeError) as error:
        raise ParseError(f"not readable as a feed: {type(error).__name__}", where) from error
    warnings = parsed.warnings
    if decoded.override:
        warnings = (decoded.override, *warnings)
    return replace(
        parsed,
        encoding=decoded.encoding,
        warnings=warnings,
        well_formed=parsed.well_formed and decoded.override is None,
    )
