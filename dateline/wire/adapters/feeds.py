"""The wire's one entry point for reading a feed document: ``parse_feed``.

Which path a document takes (see docs/decisions/0010-feed-parsing-paths.md):
- JSON (starts with ``{`` or is served as JSON) -> ``json_feed`` (stdlib json);
- anything else -> the ``xml`` package (lxml): strict parse, then with HTML entities rewritten, then
  lxml's recovering parser. Flagged, never dropped, when it had to recover.
Bytes are decoded first by ``domain.encoding`` (BOM, HTTP charset, XML declaration, recovery).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin

from dateline.wire.adapters import json_feed, xml
from dateline.wire.domain.encoding import (
    declared_encoding,
    decode,
    detect,
    media_type_and_charset,
)
from dateline.wire.domain.records import ParsedFeed
from dateline.wire.exceptions import ParseError

# Larger documents are refused before any work: no real feed comes near this.
MAX_FEED_BYTES = 64 * 1024 * 1024


def parse_feed(
    data: bytes,
    *,
    content_type: str | None = None,
    content_location: str | None = None,
    content_language: str | None = None,
    base_url: str | None = None,
    raw_entry_html: bool = False,
) -> ParsedFeed:
    """Reads one feed document (RSS, RDF, Atom, CDF or JSON Feed) into a ParsedFeed.

    ``content_type`` is the HTTP Content-Type header, if the bytes came over HTTP (its charset
    counts in choosing the encoding). Relative URLs resolve against xml:base, then
    ``content_location`` (the Content-Location header), then ``base_url`` (the URL fetched),
    then the feed's own link; a base that is not http(s) is ignored. ``content_language`` (the
    Content-Language header) is the text's language when the feed does not say.
    Raises ParseError when the bytes are not a feed at all.

    HTML comes sanitised (the feed-content policy of dateline.core.sanitize), except with
    ``raw_entry_html``: then entries' summaries and content of type html or xhtml are left as
    the feed wrote them, for a caller that sanitises only the entries it will store (see
    wire/pipeline/parse.py). Such values must never be shown or stored as they are.
    """
    where = content_location or base_url or ""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError("not a feed: expected bytes", where)
    data = bytes(data)
    if len(data) > MAX_FEED_BYTES:
        raise ParseError(f"feed too large: {len(data):,} bytes (limit {MAX_FEED_BYTES:,})", where)
    if not data.strip():
        raise ParseError("not a feed: the document is empty", where)
    media_type, _ = media_type_and_charset(content_type)
    base = _web_url(content_location, base_url) or _web_url(base_url, None)
    label, from_bom, detection_warnings = detect(data, content_type)
    body = data[3:] if from_bom and label == "utf-8" else data
    start = body.lstrip(b" \t\r\n")[:1]
    is_json = start in (b"{", b"[") or media_type.endswith("json")
    try:
        if (
            not is_json
            and label == "utf-8"
            and not detection_warnings
            and declared_encoding(body[:256]) in (None, "utf-8", "utf8")
            and b"<!DOCTYPE" not in body[:4096].upper()
        ):
            # Most feeds: well-formed UTF-8, no DTD. lxml reads the bytes directly.
            fast = xml.build_well_formed_utf8(
                body, base_url=base, language=content_language, raw_entry_html=raw_entry_html
            )
            if fast is not None:
                return fast
        decoded = decode(data, content_type)
        if is_json:
            parsed = json_feed.build(
                decoded.text, base_url=base, language=content_language,
                raw_entry_html=raw_entry_html,
            )  # fmt: skip
        else:
            parsed = xml.build(
                decoded.text, base_url=base, language=content_language,
                raw_entry_html=raw_entry_html,
            )  # fmt: skip
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


def _web_url(url: str | None, base: str | None) -> str | None:
    """``url`` made absolute against ``base``, if it is an http(s) URL; else None."""
    if not url:
        return None
    try:
        absolute = urljoin(base, url.strip()) if base else url.strip()
    except ValueError:
        return None
    return absolute if absolute.lower().startswith(("http://", "https://")) else None
