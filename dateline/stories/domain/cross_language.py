"""Candidates across languages: a Spanish article about an English story shares no words with it.

The word index (``clusterer``) finds stories that share rare terms with an article, so it never
offers a story told in another language. This module is the second way in: for an article whose
language is not among a story's known languages (or is unknown), it compares the article's headline
with the stories' headlines in a multilingual sentence space (multilingual-e5-small through
``adapters.multilingual_encoder``), over the most recently active open stories only, so the cost
per article is flat: one headline encoded, a fixed number of dot products, and at most
``new_headlines`` story headlines encoded, each once in its life, the first time an article in
another language needs it (an English-only wire never runs the encoder: decision 0098).

It joins precision first, as the clusterer does: the best story must be close in meaning, clearly
closer than the next one, and, unless it is very close, share a name or a number with the article
(names and figures cross languages unchanged more often than not: "Arequipa", "38", "Chega").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
# Headlines in, unit vectors in one multilingual space out (the same model for every language).
HeadlineEncoder = Callable[[Sequence[str]], Sequence[Sequence[float] | Vector]]


@dataclass(frozen=True, slots=True)
class CrossLanguageConfig:
    # The most recently active open stories compared with each article.
    stories: int = 64
    # A story is compared through its most recent members' headlines, this many at most (those
    # already encoded; a story with none has its first and latest headlines encoded).
    members_compared: int = 4
    # Story headlines encoded for one article at most, the most recent stories first: on a wire
    # of many one-article stories the stories looked at change with every article, and an
    # unbounded catch-up would cost seconds.
    new_headlines: int = 16
    # The same for an article of unknown language: most often a short English headline the
    # guess could not place (3% of a real week's articles), for which the words already looked.
    new_headlines_unknown: int = 4
    # An article of known language is compared only with stories naming a name or number it
    # names: otherwise every English article would be encoded while a story in another language
    # is open (0.85 of the fixture's same-event pairs across languages are still found, 0.88
    # without this; on a real week, 173 headlines encoded instead of 373).
    known_language_needs_anchor: bool = True
    # Cosine (multilingual-e5-small, "query: " + headline) to join on meaning alone ...
    similarity: float = 0.90
    # ... or, with a shared name or number, this much (for an article whose language is known).
    similarity_with_anchor: float = 0.85
    # The best story must lead the next one by this much.
    margin: float = 0.015


@dataclass(frozen=True, slots=True)
class CrossMatch:
    """The story an article joins across languages, and why."""

    story_id: int
    similarity: float
    # The member whose headline is closest.
    matched_article: str
    # Names and numbers the article and the story share.
    anchors: tuple[str, ...]


@dataclass(slots=True)
class _Article:
    title: str
    language: str | None
    anchors: frozenset[str]
    vector: Vector | None = None


@dataclass(slots=True)
class _Story:
    # Members in arrival order: the latest last.
    members: dict[str, None] = field(default_factory=dict)
    # How many members are in each language (None: unknown).
    languages: dict[str | None, int] = field(default_factory=dict)
    # How many members name each name or number.
    anchors: Counter[str] = field(default_factory=Counter)


# How far back in a large story its encoded headlines are looked for.
_MEMBERS_LOOKED_AT = 32
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_NAME = re.compile(r"(?<![\w])([A-ZÀ-ÖØ-Þ][^\W\d_]{3,})", re.UNICODE)


def _fold(word: str) -> str:
    """Lowercase without accents, so "Perú" meets "Peru"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def anchors_of(title: str, text: str) -> frozenset[str]:
    """Names (capitalised words of four letters or more) and numbers of a headline and lead.

    Numbers are read with either decimal mark ("6,6" is "6.6"); a lone digit says little.
    """
    sample = f"{title}\n{' '.join(text.split()[:60])}"
    numbers = {n.replace(",", ".") for n in _NUMBER.findall(sample)}
    names = {_fold(name) for name in _NAME.findall(sample)}
    return frozenset({n for n in numbers if len(n) >= 2} | names)


class CrossLanguageIndex:
    """The open stories' languages and headline vectors, kept beside the clusterer's stories."""

    def __init__(self, encode: HeadlineEncoder, config: CrossLanguageConfig | None = None) -> None:
        self.config = config or CrossLanguageConfig()
        self._encode = encode
        self._articles: dict[str, _Article] = {}
        self._stories: dict[int, _Story] = {}
        # Open stories by their last activity: the most recent last.
        self._recent: OrderedDict[int, None] = OrderedDict()
        # How many headlines were encoded (the cost, for the benchmark).
        self.encoded = 0

    # ---- following the clusterer ---------------------------------------------------------------

    def register(self, article_id: str, title: str, text: str, language: str | None) -> None:
        if article_id not in self._articles:
            self._articles[article_id] = _Article(title, language, anchors_of(title, text))

    def attached(self, story_id: int, article_id: str) -> None:
        story = self._stories.setdefault(story_id, _Story())
        story.members[article_id] = None
        article = self._articles[article_id]
        story.languages[article.language] = story.languages.get(article.language, 0) + 1
        story.anchors.update(article.anchors)
        self._recent[story_id] = None
        self._recent.move_to_end(story_id)

    def detached(self, story_id: int, article_id: str) -> None:
        story = self._stories[story_id]
        del story.members[article_id]
        article = self._articles[article_id]
        story.languages[article.language] -= 1
        if not story.languages[article.language]:
            del story.languages[article.language]
        story.anchors.subtract(article.anchors)
        for anchor in article.anchors:
            if story.anchors[anchor] <= 0:
                del story.anchors[anchor]

    def dropped(self, story_id: int) -> None:
        """The story left the clusterer (closed, or emptied by a correction)."""
        story = self._stories.pop(story_id, None)
        self._recent.pop(story_id, None)
        if story is not None:
            for article_id in story.members:
                self._articles.pop(article_id, None)

    # ---- matching ------------------------------------------------------------------------------

    def match(self, article_id: str, allowed: Callable[[int], bool]) -> CrossMatch | None:
        """The story in another language the article belongs to, or None.

        ``allowed`` says whether the clusterer lets the article join a story at all (its time
        window, editors' cannot-links).
        """
        article = self._articles[article_id]
        eligible: list[int] = []
        for story_id in reversed(self._recent):
            if len(eligible) >= self.config.stories:
                break
            story = self._stories[story_id]
            if article_id in story.members:
                continue
            known = story.languages.keys() - {None}
            if article.language in known or not known:
                # In its language, the word index reaches it. In no known language, nothing says
                # it is in another language than the article: most such stories are short
                # untagged English headlines, which e5 finds alike when only their names differ
                # ("Quake3 hits town3", "Quake7 hits town7"), and comparing every later article
                # with them would run the encoder on most of an English wire.
                continue
            if (
                article.language is not None
                and self.config.known_language_needs_anchor
                and not article.anchors & story.anchors.keys()
            ):
                continue
            if allowed(story_id):
                eligible.append(story_id)
        if not eligible:
            return None
        compared: dict[int, list[str]] = {}
        budget = (
            self.config.new_headlines
            if article.language is not None
            else self.config.new_headlines_unknown
        )
        for story_id in eligible:
            members = self._compared(story_id)
            if members:
                compared[story_id] = members
                continue
            # Never looked at: its first headline (what it was about) and its latest.
            ids = self._stories[story_id].members
            ends = list(dict.fromkeys((next(iter(ids)), next(reversed(ids)))))
            if len(ends) <= budget:
                budget -= len(ends)
                compared[story_id] = ends
        self._ensure_vectors([article_id, *(a for ids in compared.values() for a in ids)])
        mine = article.vector
        assert mine is not None
        scored: list[tuple[float, str, int]] = []
        for story_id, members in compared.items():
            best_similarity, best_member = max(
                (float(self._vector(member) @ mine), member) for member in members
            )
            scored.append((best_similarity, best_member, story_id))
        scored.sort(reverse=True)
        similarity, member, story_id = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else -1.0
        if similarity - runner_up < self.config.margin:
            return None
        shared = self._shared_anchors(article, self._stories[story_id])
        # An article of unknown language is most often a short English headline: e5's threshold
        # for English (0.90) holds for it, shared names or not ("India", "Japan" are no event).
        anchored = shared and article.language is not None
        if similarity < self.config.similarity and not (
            anchored and similarity >= self.config.similarity_with_anchor
        ):
            return None
        return CrossMatch(story_id, similarity, member, shared)

    def _compared(self, story_id: int) -> list[str]:
        """The story's latest members whose headlines are encoded, up to ``members_compared``."""
        latest = islice(reversed(self._stories[story_id].members), _MEMBERS_LOOKED_AT)
        encoded = [a for a in latest if self._articles[a].vector is not None]
        return encoded[: self.config.members_compared]

    def _vector(self, article_id: str) -> Vector:
        vector = self._articles[article_id].vector
        assert vector is not None
        return vector

    def _ensure_vectors(self, article_ids: Sequence[str]) -> None:
        """Encodes, in one call, the headlines among ``article_ids`` not encoded yet."""
        missing = list(dict.fromkeys(a for a in article_ids if self._articles[a].vector is None))
        if not missing:
            return
        vectors = self._encode([self._articles[a].title for a in missing])
        self.encoded += len(missing)
        for article_id, raw in zip(missing, vectors, strict=True):
            vector = np.asarray(raw, dtype=np.float32)
            norm = float(np.linalg.norm(vector))
            self._articles[article_id].vector = vector / norm if norm else vector

    def _shared_anchors(self, article: _Article, story: _Story) -> tuple[str, ...]:
        return tuple(sorted(article.anchors & story.anchors.keys()))
