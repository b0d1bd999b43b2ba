"""A post's revisions as data: what one save of a post was, and the difference between two.

A revision keeps the parts as data (kind, text, citation fields), not as rendered HTML, so a
restore writes the same parts back and a diff compares what an editor reads: one line per
paragraph of each part. See docs/decisions/0085-revisions-as-data.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateline.core.markup_text import markup_text

# The part kinds, as the blog's PartKind spells them.
CITATION = "citation"
COMMENTARY = "commentary"
UPDATE = "update"
PROSE = "prose"
RAW_HTML = "raw_html"

_PART_FIELDS = (
    "kind",
    "body",
    "speaker",
    "at",
    "outlet_name",
    "source_headline",
    "url",
    "quoted_excerpt",
    "retrieved_at",
    "article_id",
)
_PARAGRAPH_END = re.compile(r"</(?:p|li|blockquote|h[1-6]|pre|div)\s*>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RevisionPart:
    """One part of a post as a revision keeps it. Times are ISO 8601 text (UTC)."""

    kind: str
    body: str = ""
    speaker: str = ""
    at: str | None = None
    outlet_name: str = ""
    source_headline: str = ""
    url: str = ""
    quoted_excerpt: str = ""
    retrieved_at: str | None = None
    article_id: int | None = None

    def to_data(self) -> dict[str, Any]:
        # Only the fields a kind uses and that are set: revisions stay small.
        return {name: value for name in _PART_FIELDS if (value := getattr(self, name))}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RevisionPart:
        known = {name: data[name] for name in _PART_FIELDS if data.get(name) is not None}
        return cls(**{"kind": "", **known})


@dataclass(frozen=True, slots=True)
class RevisionContent:
    """Everything one save wrote: the post's fields, labels and ordered parts."""

    headline: str
    dateline_place: str = ""
    status: str = ""
    published_at: str | None = None
    labels: tuple[str, ...] = ()
    parts: tuple[RevisionPart, ...] = field(default=())

    def to_data(self) -> dict[str, Any]:
        """The JSON kept in a revision row (the headline has its own column)."""
        return {
            "dateline_place": self.dateline_place,
            "status": self.status,
            "published_at": self.published_at,
            "labels": list(self.labels),
            "parts": [part.to_data() for part in self.parts],
        }

    @classmethod
    def from_data(cls, headline: str, data: Mapping[str, Any]) -> RevisionContent:
        return cls(
            headline=headline,
            dateline_place=str(data.get("dateline_place") or ""),
            status=str(data.get("status") or ""),
            published_at=data.get("published_at"),
            labels=tuple(str(name) for name in data.get("labels") or ()),
            parts=tuple(RevisionPart.from_data(part) for part in data.get("parts") or ()),
        )

    def same_text(self, other: RevisionContent) -> bool:
        """Whether the two say the same (status and publication time aside)."""
        return (self.headline, self.dateline_place, sorted(self.labels), self.parts) == (
            other.headline,
            other.dateline_place,
            sorted(other.labels),
            other.parts,
        )


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One line of a diff: `change` is "same", "removed" or "added"."""

    change: str
    text: str


def readable_lines(content: RevisionContent) -> list[str]:
    """The revision as an editor reads it, one line per field and per paragraph of each part."""
    lines = [f"Headline: {content.headline}"]
    if content.dateline_place:
        lines.append(f"Dateline: {content.dateline_place}")
    if content.labels:
        lines.append(f"Labels: {', '.join(sorted(content.labels))}")
    for part in content.parts:
        lines.extend(_part_lines(part))
    return lines


def diff(older: RevisionContent, newer: RevisionContent) -> list[DiffLine]:
    """What changed from `older` to `newer`, line by line (unchanged lines included)."""
    before, after = readable_lines(older), readable_lines(newer)
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine("same", text) for text in before[a_start:a_end])
            continue
        lines.extend(DiffLine("removed", text) for text in before[a_start:a_end])
        lines.extend(DiffLine("added", text) for text in after[b_start:b_end])
    return lines


def _paragraphs(markup: str) -> list[str]:
    blocks = _PARAGRAPH_END.split(markup or "")
    return [text for block in blocks if (text := markup_text(block))]


def _part_lines(part: RevisionPart) -> Sequence[str]:
    if part.kind == CITATION:
        return [
            f"Citation: {part.outlet_name}: {part.source_headline}".rstrip(": "),
            *(f"> {text}" for text in _paragraphs(part.quoted_excerpt)),
            f"Read more: {part.url}",
        ]
    if part.kind == COMMENTARY:
        said = _paragraphs(part.body)
        speaker = part.speaker or "Commentary"
        return [f"{speaker}: {said[0]}" if said else f"{speaker}:", *said[1:]]
    if part.kind == UPDATE:
        source = f" ({part.outlet_name})" if part.outlet_name else ""
        said = _paragraphs(part.body) or [""]
        return [f"Update {part.at or ''}: {said[0]}{source}".replace("  ", " "), *said[1:]]
    return _paragraphs(part.body)
