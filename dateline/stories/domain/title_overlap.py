"""The walking skeleton's story rule: two headlines about the same story share most of their words.

Deliberately simple and precise-first; the incremental clusterer of the Stories issue replaces it.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that say nothing about which story a headline is about.
_FILLER = frozenset(
    "a an and are as at be by for from has have in is it its of on or says say said than that the "
    "their this to was were will with after over new".split()
)


def headline_words(headline: str) -> frozenset[str]:
    return frozenset(
        word for word in (w.casefold() for w in _WORD.findall(headline)) if word not in _FILLER
    )


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two word sets, 0.0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


SAME_STORY_OVERLAP = 0.4


def same_story(a: str, b: str) -> bool:
    return overlap(headline_words(a), headline_words(b)) >= SAME_STORY_OVERLAP
