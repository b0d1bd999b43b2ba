"""What the story clusterer takes in and gives out: plain records, no Django.

The clusterer (``clusterer.py``) sees articles one at a time in arrival order and answers which
story each belongs to. Story ids are the clusterer's own integers, stable for a story's life; the
stories app stores them beside its Story rows so that a restarted worker can hand the open stories
back (``StoryClusterer.restore``) and carry on where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article went."""

    article_id: str
    story_id: int
    # True when the article opened a new story.
    created: bool
    # How strongly it matched the story it joined (0.0 when it opened one).
    score: float
