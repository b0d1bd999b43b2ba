"""How the desk ranks stories: breadth of coverage, velocity, and recency.

A story matters more when more outlets, in more countries, report it, and when it is gaining
articles fast; it matters less the longer nothing new has come in. The score is

    score(now) = exp(strength - ln 2 * hours since the last article / RECENCY_HALF_LIFE_HOURS)

with ``strength`` growing with the logarithm of distinct outlets, countries and recent articles
(the tenth outlet adds less than the second). Because recency decays exponentially, the order of
two stories never changes as time passes without new articles, so the order is stored once per
change as ``rank_key`` (a number that sorts like the score at any moment) and the database sorts
by it: no score has to be recomputed on read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

OUTLET_WEIGHT = 1.0
# A second country is stronger evidence than a second outlet from the same country.
COUNTRY_WEIGHT = 0.75
VELOCITY_WEIGHT = 0.5
# A story's score halves every this many hours without a new article.
RECENCY_HALF_LIFE_HOURS = 12.0
# Velocity counts the articles that came in over this window up to the latest one.
VELOCITY_WINDOW = timedelta(hours=6)
# Only fixes the origin of rank keys so they stay small numbers; any fixed instant would do.
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_DECAY_PER_HOUR = math.log(2) / RECENCY_HALF_LIFE_HOURS


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the ranking knows of a story."""

    outlets: int
    countries: int
    # Articles within VELOCITY_WINDOW up to the latest one (see ``velocity``).
    recent_articles: int
    # When its latest article was published (an aware datetime).
    last_seen: datetime


def velocity(times: Iterable[datetime], *, window: timedelta = VELOCITY_WINDOW) -> int:
    """How many of the story's articles came within ``window`` up to its latest one."""
    ordered = sorted(times)
    if not ordered:
        return 0
    since = ordered[-1] - window
    return sum(1 for moment in ordered if moment >= since)


def strength(coverage: Coverage) -> float:
    """The score a story would have if its latest article had just come in."""
    return (
        OUTLET_WEIGHT * math.log1p(coverage.outlets)
        + COUNTRY_WEIGHT * math.log1p(coverage.countries)
        + VELOCITY_WEIGHT * math.log1p(coverage.recent_articles)
    )


def _hours(moment: datetime, since: datetime) -> float:
    return (moment - since).total_seconds() / 3600.0


def score(coverage: Coverage, now: datetime) -> float:
    """The story's score at ``now``: its strength, halved every half-life since its last article.

    An article dated after ``now`` (a feed with a fast clock) counts as just in, never as a boost.
    """
    age = max(0.0, _hours(now, coverage.last_seen))
    return math.exp(strength(coverage) - _DECAY_PER_HOUR * age)


def rank_key(coverage: Coverage) -> float:
    """A number that sorts stories as ``score`` does at any ``now`` after their last articles.

    log score(now) = strength - decay * (now - last_seen) = rank_key - decay * (now - epoch),
    and the last term is the same for every story, so ordering by rank_key is ordering by score.
    """
    return strength(coverage) + _DECAY_PER_HOUR * _hours(coverage.last_seen, _EPOCH)


def score_from_rank_key(key: float, now: datetime) -> float:
    """The score of a story whose stored rank key is ``key``, at ``now``."""
    return math.exp(key - _DECAY_PER_HOUR * _hours(now, _EPOCH))
