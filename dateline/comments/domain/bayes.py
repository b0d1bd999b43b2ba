"""The spam classifier's maths: naive Bayes over a comment's words and links (Graham's scheme).

Counts come from the moderators' decisions (spam / not spam). A token's spam probability is
smoothed towards 0.5 when it has been seen rarely; the verdict combines the most telling tokens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

_WORD = re.compile(r"[^\W_]{2,40}", re.UNICODE)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
# How many of the most telling tokens decide (Graham used 15).
MOST_TELLING = 15
# Weight of the 0.5 prior against a token's own evidence (Robinson's s).
PRIOR_STRENGTH = 1.0
# Below this many lessons of each kind the classifier says nothing.
MIN_LESSONS = 1


@dataclass(frozen=True, slots=True)
class Counts:
    spam: int
    ham: int


def tokens(text: str) -> frozenset[str]:
    """Lower-cased words, plus `host:` tokens for each linked host: a spammer's domain is the
    most telling thing in their comment."""
    found = {word.casefold() for word in _WORD.findall(text)}
    for url in _URL.findall(text):
        try:
            host = (urlsplit(url).hostname or "").removeprefix("www.")
        except ValueError:
            continue
        if host:
            found.add(f"host:{host}"[:64])
    return frozenset(word[:64] for word in found)


def token_probability(counts: Counts, *, spam_total: int, ham_total: int) -> float:
    spam_rate = counts.spam / spam_total if spam_total else 0.0
    ham_rate = counts.ham / ham_total if ham_total else 0.0
    if spam_rate + ham_rate == 0:
        return 0.5
    raw = spam_rate / (spam_rate + ham_rate)
    seen = counts.spam + counts.ham
    return (PRIOR_STRENGTH * 0.5 + seen * raw) / (PRIOR_STRENGTH + seen)


def spam_probability(
    words: Iterable[str], counts: Mapping[str, Counts], *, spam_total: int, ham_total: int
) -> float | None:
    """The probability the text is spam, or None when the classifier has not learnt enough."""
    if spam_total < MIN_LESSONS or ham_total < MIN_LESSONS:
        return None
    probabilities = [
        token_probability(counts[word], spam_total=spam_total, ham_total=ham_total)
        for word in words
        if word in counts
    ]
    telling = sorted(probabilities, key=lambda p: abs(p - 0.5), reverse=True)[:MOST_TELLING]
    if not telling:
        return None
    # Combined in log space: a product of 15 small numbers underflows.
    clamp = [min(max(p, 0.01), 0.99) for p in telling]
    log_spam = sum(math.log(p) for p in clamp)
    log_ham = sum(math.log(1 - p) for p in clamp)
    return 1 / (1 + math.exp(log_ham - log_spam))
