"""Which character encoding a feed's bytes are in, and decoding them with recovery.

The rules are XML's and RFC 3023's, in this order:
1. a byte-order mark wins (UTF-32, UTF-16, UTF-8);
2. UTF-16/32 without a BOM is recognised by how ``<?xml`` is laid out in the first four bytes;
3. for an XML media type, the HTTP ``charset`` parameter wins over the XML declaration; a
   ``text/*`` XML type without a charset means US-ASCII (RFC 3023), an ``application/*`` one
   means the XML declaration, else UTF-8;
4. with no HTTP header, the XML declaration, else UTF-8.

When the chosen encoding cannot decode the bytes (a mislabelled feed, very common), the bytes
are decoded with the first of UTF-8, then Windows-1252, then Latin-1 that works, and the result
says so: ``Decoded.override`` is the message to flag the feed with.
ISO-8859-1 is decoded as Windows-1252, its superset, because feeds labelled so often carry
curly quotes in 0x80-0x9F; GB2312 and GBK as GB18030 likewise. (Text that still holds C1
control characters after decoding is repaired value by value: see text.repair_text.)
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_XML_DECLARATION = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_CHARSET_PARAMETER = re.compile(r"charset\s*=\s*[\"']?\s*([^\s;\"']+)", re.IGNORECASE)

# Labels decoded with a superset codec that reads everything the label can, and more.
_SUPERSETS = {
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}
# Labels reported under the superset's name (what the text really was decoded as).
_REPORTED_AS = {"gb2312": "gb18030", "gbk": "gb18030"}

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32be"),
    (codecs.BOM_UTF32_LE, "utf-32le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)
# The first four bytes of "<?xm" / "<" in each wide encoding, when there is no BOM.
_WIDE_SIGNATURES = (
    (b"\x00\x00\x00\x3c", "utf-32be"),
    (b"\x3c\x00\x00\x00", "utf-32le"),
    (b"\x00\x3c\x00\x3f", "utf-16be"),
    (b"\x3c\x00\x3f\x00", "utf-16le"),
)

_XML_APPLICATION_TYPES = ("application/xml", "application/xml-dtd")
_XML_TEXT_TYPES = ("text/xml", "text/xml-external-parsed-entity")


@dataclass(frozen=True, slots=True)
class Decoded:
    """The document as text and how it was read."""

    text: str
    encoding: str  # the encoding's name, lower-case ("utf-8", "windows-1252", "utf-16le")
    # Set when the bytes were not in the encoding they were labelled with, or the media type
    # is not an XML one: a sentence saying so, for the feed's warnings.
    override: str | None = None
    byte_order_mark: bool = False


def media_type_and_charset(content_type: str | None) -> tuple[str, str | None]:
    """Splits an HTTP Content-Type into its lower-case media type and its charset, if any."""
    if not content_type:
        return "", None
    media_type, _, parameters = content_type.partition(";")
    match = _CHARSET_PARAMETER.search(parameters)
    charset = match.group(1).lower() if match else None
    return media_type.strip().lower(), charset


def declared_encoding(head: bytes) -> str | None:
    """The encoding the XML declaration at the start of ``head`` names, lower-case."""
    match = _XML_DECLARATION.match(head.lstrip()[:200])
    return match.group(1).decode("ascii").lower() if match else None


def _is_xml_media_type(media_type: str) -> bool:
    return (
        media_type in _XML_APPLICATION_TYPES
        or media_type in _XML_TEXT_TYPES
        or media_type == "application/xml-external-parsed-entity"
        or media_type.endswith("+xml")
        or media_type == "application/json"
        or media_type.endswith("+json")
        or media_type == "application/feed+json"
    )


def _known(label: str | None) -> bool:
    if not label:
        return False
    try:
        codecs.lookup(label)
    except LookupError:
        return False
    return True


def detect(data: bytes, content_type: str | None = None) -> tuple[str, bool, list[str]]:
    """Chooses the encoding to try first: (name, came from a BOM, warnings so far)."""
    warnings: list[str] = []
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, True, warnings
    for signature, name in _WIDE_SIGNATURES:
        if data.startswith(signature):
            return name, False, warnings
    declared = declared_encoding(data[:256])
    media_type, charset = media_type_and_charset(content_type)
    if declared and not _known(declared):
        warnings.append(f"the XML declaration names an unknown encoding {declared!r}")
        declared = None
    if charset and not _known(charset):
        warnings.append(f"the HTTP header names an unknown charset {charset!r}")
        charset = None
    if not media_type:
        return declared or "utf-8", False, warnings
    if not _is_xml_media_type(media_type):
        warnings.append(f"served as {media_type}, not as an XML or JSON media type")
        return charset or declared or "utf-8", False, warnings
    if media_type.startswith("text/"):
        return charset or "us-ascii", False, warnings
    return charset or declared or "utf-8", False, warnings


def decode(data: bytes, content_type: str | None = None) -> Decoded:
    """Decodes ``data`` by the rules above; never raises for any bytes."""
    label, from_bom, warnings = detect(data, content_type)
    body = data
    if from_bom:
        for bom, name in _BOMS:
            if name == label and data.startswith(bom):
                body = data[len(bom) :]
                break
    codec = _SUPERSETS.get(label, label)
    reported = _REPORTED_AS.get(label, label)
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        pass
    else:
        override = "; ".join(warnings) or None
        return Decoded(text, reported, override, from_bom)
    for fallback in ("utf-8", "windows-1252", "latin-1"):
        if fallback == codec:
            continue
        try:
            text = body.decode(fallback)
        except UnicodeDecodeError:
            continue
        warnings.append(f"labelled {label} but not valid in it: read as {fallback}")
        return Decoded(text, fallback, "; ".join(warnings), from_bom)
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover
