"""The desk's ranking formula: breadth, velocity, recency, and an order that time never changes."""

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dateline.stories.domain import ranking
from dateline.stories.domain.ranking import Coverage

NOW = datetime(2026, 2, 17, 12, 0, tzinfo=UTC)


def coverage(outlets=1, countries=1, recent=1, hours_ago=0.0):
    return Coverage(
        outlets=outlets,
        countries=countries,
        recent_articles=recent,
        last_seen=NOW - timedelta(hours=hours_ago),
    )


def test_more_outlets_and_more_countries_rank_higher():
    assert ranking.score(coverage(outlets=5), NOW) > ranking.score(coverage(outlets=2), NOW)
    assert ranking.score(coverage(outlets=4, countries=3), NOW) > ranking.score(
        coverage(outlets=4, countries=1), NOW
    )
    # Each further outlet adds less than the one before.
    gains = [
        ranking.score(coverage(outlets=n + 1), NOW) / ranking.score(coverage(outlets=n), NOW)
        for n in range(1, 6)
    ]
    assert gains == sorted(gains, reverse=True)


def test_a_fast_moving_story_outranks_a_slow_one_of_the_same_breadth():
    assert ranking.score(coverage(recent=8), NOW) > ranking.score(coverage(recent=1), NOW)


def test_the_score_halves_every_half_life_without_news():
    fresh = ranking.score(coverage(outlets=3), NOW)
    later = NOW + timedelta(hours=ranking.RECENCY_HALF_LIFE_HOURS)
    assert abs(ranking.score(coverage(outlets=3), later) - fresh / 2) < 1e-9


def test_a_broad_story_from_yesterday_can_lose_to_a_fresh_one():
    yesterday_broad = coverage(outlets=6, countries=4, hours_ago=48)
    fresh_narrow = coverage(outlets=2, countries=1)
    assert ranking.score(fresh_narrow, NOW) > ranking.score(yesterday_broad, NOW)


def test_an_article_dated_in_the_future_gives_no_boost():
    ahead = Coverage(outlets=2, countries=1, recent_articles=1, last_seen=NOW + timedelta(days=3))
    assert ranking.score(ahead, NOW) == ranking.score(coverage(outlets=2), NOW)


def test_velocity_counts_the_window_up_to_the_latest_article():
    times = [NOW - timedelta(hours=h) for h in (0, 1, 5, 6, 7, 30)]
    assert ranking.velocity(times) == 4  # 0, 1, 5 and 6 hours before the latest
    assert ranking.velocity(times, window=timedelta(hours=1)) == 2
    assert ranking.velocity([]) == 0


stories = st.builds(
    Coverage,
    outlets=st.integers(1, 60),
    countries=st.integers(0, 30),
    recent_articles=st.integers(1, 200),
    last_seen=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
)


@given(st.lists(stories, min_size=2, max_size=8), st.integers(0, 24 * 365))
def test_the_stored_rank_key_sorts_like_the_score_at_any_later_time(covered, hours_later):
    latest = max(c.last_seen for c in covered)
    now = latest + timedelta(hours=hours_later)
    by_key = sorted(covered, key=ranking.rank_key, reverse=True)
    scores = [ranking.score(c, now) for c in by_key]
    # Sorted by key, the scores at `now` descend too (up to float rounding).
    assert all(a >= b * (1 - 1e-9) for a, b in itertools.pairwise(scores))
    for c in covered:
        from_key = ranking.score_from_rank_key(ranking.rank_key(c), now)
        assert abs(from_key - ranking.score(c, now)) <= 1e-9 * max(1.0, from_key)
