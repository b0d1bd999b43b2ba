"""What a file looks like before it is parsed, for the one-line message about one that is none
of the formats."""

from __future__ import annotations

from pathlib import Path

_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (unpack Google Takeout's archive and import its feed.atom)"),
    (b"\x1f\x8b", "a gzip-compressed file (uncompress it first)"),
    (b"%PDF", "a PDF document"),
    (b"SQLite format 3", "an SQLite database"),
)


def not_xml(path: Path) -> str | None:
    """A description of the file when it cannot be XML, else None."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if not head.strip():
        return "an empty file"
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"{", b"["):
        return "JSON, not XML"
    if text[:1] != b"<":
        return "text that is not XML"
    return None
