"""The throttle's rule, pure: the last `limit` failures within the window refuse until the newest
plus the lockout."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.desk.domain.sign_in_throttle import ThrottleRule, refused_until

RULE = ThrottleRule(limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def minutes(*offsets: float) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in offsets]


def test_fewer_failures_than_the_limit_refuse_nothing():
    assert refused_until(minutes(4, 3, 2, 1), RULE, T0 + timedelta(minutes=5)) is None


def test_the_limit_reached_within_the_window_refuses_until_the_lockout_ends():
    failures = minutes(14, 10, 5, 1, 0)
    assert refused_until(failures, RULE, T0 + timedelta(minutes=20)) == T0 + timedelta(minutes=29)
    assert refused_until(failures, RULE, T0 + timedelta(minutes=29)) is None


def test_failures_spread_wider_than_the_window_refuse_nothing():
    assert refused_until(minutes(16, 10, 5, 1, 0), RULE, T0 + timedelta(minutes=16)) is None


def test_a_rule_needs_a_limit():
    with pytest.raises(ValueError):
        ThrottleRule(limit=0, window=timedelta(minutes=1), lockout=timedelta(minutes=1))


@given(
    gaps=st.lists(st.integers(min_value=0, max_value=40 * 60), min_size=0, max_size=8),
    later=st.integers(min_value=0, max_value=60 * 60),
)
def test_a_refusal_never_outlasts_the_lockout_from_the_newest_failure(gaps, later):
    failures = []
    moment = T0
    for gap in gaps:
        moment -= timedelta(seconds=gap)
        failures.append(moment)
    now = T0 + timedelta(seconds=later)
    until = refused_until(failures[: RULE.limit], RULE, now)
    if until is not None:
        assert now < until == failures[0] + RULE.lockout
        assert len(failures) >= RULE.limit
