"""The poll schedule: posting rate, backoff, server hints and jitter (pure, no Django)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.wire.domain.schedule import (
    DEFAULT_BOUNDS,
    backoff_interval,
    next_poll,
    posting_interval,
    server_floor,
)

NOW = datetime(2026, 2, 16, 12, 0, tzinfo=UTC)
NO_JITTER = random.Random(0)


def every(gap: timedelta, count: int) -> list[datetime]:
    return [NOW - gap * i for i in range(count)]


def test_busy_feed_is_polled_at_half_its_posting_gap():
    assert posting_interval(every(timedelta(hours=1), 10), NOW) == timedelta(minutes=30)


def test_very_busy_feed_is_held_at_the_minimum():
    assert posting_interval(every(timedelta(minutes=1), 20), NOW) == timedelta(minutes=5)


def test_slow_feed_is_held_at_the_maximum():
    assert posting_interval(every(timedelta(days=3), 4), NOW) == timedelta(hours=24)


def test_feed_without_dates_gets_the_default_and_a_dead_one_the_maximum():
    assert posting_interval([], NOW) == DEFAULT_BOUNDS.default
    assert posting_interval([NOW - timedelta(days=400)], NOW) == DEFAULT_BOUNDS.maximum


def test_backoff_doubles_until_the_maximum():
    waits = [backoff_interval(n) for n in range(1, 12)]
    assert waits[:3] == [timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40)]
    assert waits == sorted(waits) and waits[-1] == timedelta(hours=24)


def test_retry_after_seconds_and_date_are_floors():
    assert server_floor({"retry-after": "120"}, NOW) == NOW + timedelta(seconds=120)
    assert server_floor({"retry-after": "Mon, 16 Feb 2026 15:00:00 GMT"}, NOW) == NOW.replace(
        hour=15
    )


def test_max_age_minus_age_wins_over_expires():
    headers = {
        "cache-control": "public, max-age=3600",
        "age": "600",
        "expires": "Mon, 16 Feb 2026 20:00:00 GMT",
    }
    assert server_floor(headers, NOW) == NOW + timedelta(seconds=3000)
    assert server_floor({"expires": "Mon, 16 Feb 2026 20:00:00 GMT"}, NOW) == NOW.replace(hour=20)
    assert server_floor({"expires": "0"}, NOW) is None


def test_server_asking_for_later_pushes_the_poll_but_never_past_the_maximum():
    busy = every(timedelta(minutes=20), 10)
    polite = next_poll(
        NOW, succeeded=True, entry_times=busy, headers={"retry-after": "7200"}, rng=NO_JITTER
    )
    assert polite.at == NOW + timedelta(hours=2)
    capped = next_poll(
        NOW, succeeded=False, error_count=1, headers={"retry-after": str(10 * 86400)}, rng=NO_JITTER
    )
    assert capped.at == NOW + timedelta(hours=24)


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after": "99999999999999999999"},  # past a C int
        {"retry-after": "300000000000"},  # past the year 9999
        {"cache-control": "max-age=99999999999999"},  # past timedelta's range
        {"retry-after": "9" * 5000},  # past the digits int() reads
        {"retry-after": "Fri, 31 Dec 9999 23:59:59 -1200"},  # the year 10000 in UTC
        {"expires": "Fri, 31 Dec 9999 23:59:59 -1200"},
    ],
)
def test_an_absurdly_late_server_hint_is_held_at_the_maximum(headers):
    result = next_poll(NOW, succeeded=False, error_count=1, headers=headers, rng=NO_JITTER)
    assert result.at == NOW + DEFAULT_BOUNDS.maximum


@pytest.mark.parametrize("header", ["retry-after", "age"])
def test_a_digit_that_is_not_a_number_is_ignored(header):
    # "²" passes str.isdigit() but int() refuses it.
    assert server_floor({header: "\u00b2"}, NOW) is None


def test_server_asking_for_sooner_does_not_make_us_poll_sooner():
    slow = every(timedelta(hours=10), 5)
    result = next_poll(
        NOW,
        succeeded=True,
        entry_times=slow,
        headers={"cache-control": "max-age=60"},
        rng=NO_JITTER,
    )
    assert result.at >= NOW + timedelta(hours=4)


@given(
    st.lists(st.integers(min_value=0, max_value=30 * 86400), max_size=30),
    st.integers(min_value=0, max_value=50),
    st.booleans(),
    st.integers(min_value=0, max_value=2**32),
)
def test_next_poll_is_always_within_bounds(offsets, errors, succeeded, seed):
    times = [NOW - timedelta(seconds=s) for s in offsets]
    result = next_poll(
        NOW, succeeded=succeeded, error_count=errors, entry_times=times, rng=random.Random(seed)
    )
    assert NOW + DEFAULT_BOUNDS.minimum <= result.at <= NOW + DEFAULT_BOUNDS.maximum


def test_jitter_spreads_feeds_that_would_fall_due_together():
    rng = random.Random(42)
    times = {next_poll(NOW, succeeded=True, rng=rng).at for _ in range(50)}
    assert len(times) > 40
    assert all(abs(t - NOW - timedelta(hours=1)) <= timedelta(minutes=6) for t in times)
