"""What the story clusterer takes in and gives out: plain records, no Django.

The clusterer (``clusterer.py``) sees articles one at a time in arrival order and answers which
story each belongs to. Story ids are the clusterer's own integers, stable for a story's life; the
stories app stores them beside its Story rows so that a restarted worker can hand the open stories
back (``StoryClusterer.restore``) and carry on where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class ArticleIn:
    """One article as the clusterer needs it."""

    id: str
    title: str
    # The lead or summary as plain text; may be empty.
    text: str = ""
    # The outlet's name or id; None when unknown (labelled corpora often lack it).
    outlet: str | None = None
    # BCP 47 language tag ("en", "fr-CA"), or None when unknown.
    language: str | None = None
    # When the outlet published it: an aware UTC datetime, or None when unknown.
    published: datetime | None = None


class ReasonKind(StrEnum):
    # Joined the story whose candidate scored best, by words and (with an encoder) meaning.
    JOINED = "joined"
    # Joined a story told in another language, by the headlines' meaning (cross_language).
    JOINED_ACROSS_LANGUAGES = "joined-across-languages"
    # Opened a story: no candidate reached the threshold (or there was none).
    NEW = "new"
    # Was already in an open story (a replay or a re-delivery): left where it was.
    KNOWN = "known"
    # An editor put it there (a move out of a story); written by the stories app, not the clusterer.
    EDITOR = "editor"


@dataclass(frozen=True, slots=True)
class AssignmentReason:
    """Why the clusterer put an article where it did, in terms an editor can check."""

    kind: ReasonKind
    # JOINED: the scorer's probability; JOINED_ACROSS_LANGUAGES: the headlines' cosine; NEW: the
    # best candidate's probability (0.0 when there was none).
    score: float = 0.0
    # The member of that story (for NEW: of the best candidate) it matched most closely.
    matched_article: str | None = None
    # Names and words the two share, the most telling first.
    shared: tuple[str, ...] = ()
    # The article's language as the clusterer read it (its tag, else a guess); None: unknown.
    language: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "score": round(self.score, 4),
            "matched_article": self.matched_article,
            "shared": list(self.shared),
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: object) -> AssignmentReason | None:
        """The reason stored by ``as_json``; None for anything else (an empty or older row)."""
        if not isinstance(data, dict):
            return None
        try:
            kind = ReasonKind(str(data.get("kind")))
            score = float(data.get("score") or 0.0)
        except (TypeError, ValueError):
            return None
        matched, language = data.get("matched_article"), data.get("language")
        shared = data.get("shared")
        return cls(
            kind=kind,
            score=score,
            matched_article=None if matched is None else str(matched),
            shared=tuple(str(s) for s in shared) if isinstance(shared, list) else (),
            language=None if language is None else str(language),
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went."""

    article_id: str
    story_id: int
    # True when the article opened a new story.
    created: bool
    # How strongly it matched the story it joined (0.0 when it opened one).
    score: float
    # Why; None only from code that does not say (a test's own chooser does).
    reason: AssignmentReason | None = None
