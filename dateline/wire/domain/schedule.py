"""When to poll a feed next: often enough to catch news, rarely enough to stay welcome.

Rules, in order:

1. A feed that answered normally is polled about as often as it posts: the interval is the mean
   gap between its recent entries (halved, so a new entry waits half a gap on average), within
   `Bounds` (5 minutes to 24 hours by default). A feed with no dated entries gets the default.
2. A feed that failed backs off exponentially: `min * 2**errors`, up to the maximum, so a broken
   host is asked less and less often and recovers on its own once it answers.
3. What the server asked for is a floor: Retry-After (429/503), Cache-Control max-age and
   Expires push the next poll later, never earlier, up to the maximum.
4. Jitter (±10 % by default) spreads feeds added together so they do not all fall due at once.

Everything is computed from the arguments: the clock and the random source are passed in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class Bounds:
    minimum: timedelta = timedelta(minutes=5)
    maximum: timedelta = timedelta(hours=24)
    default: timedelta = timedelta(hours=1)
    jitter: float = 0.1  # fraction of the interval, either way
    # Only entries this recent say anything about the posting rate now.
    window: timedelta = timedelta(days=14)
    sample: int = 20

    def clamp(self, interval: timedelta) -> timedelta:
        return max(self.minimum, min(self.maximum, interval))


DEFAULT_BOUNDS = Bounds()


@dataclass(frozen=True, slots=True)
class NextPoll:
    at: datetime
    interval: timedelta  # the interval before jitter and server hints, for the desk to show


def posting_interval(
    entry_times: Iterable[datetime], now: datetime, bounds: Bounds = DEFAULT_BOUNDS
) -> timedelta:
    """Half the mean gap between the feed's recent entries, within bounds."""
    times = list(entry_times)
    recent = sorted(
        (t for t in times if now - bounds.window <= t <= now + timedelta(hours=1)),
        reverse=True,
    )[: bounds.sample]
    if len(recent) < 2:
        # One entry or none in the window: the feed is quiet. Poll at the default, or less often
        # when even its newest entry is old.
        return bounds.maximum if not recent and times else bounds.default
    span = recent[0] - recent[-1]
    mean_gap = span / (len(recent) - 1)
    return bounds.clamp(mean_gap / 2)


def backoff_interval(error_count: int, bounds: Bounds = DEFAULT_BOUNDS) -> timedelta:
    """The wait after `error_count` consecutive failures (1 = the first failure)."""
    if error_count <= 0:
        return bounds.minimum
    # Capped exponent: 2**20 minimums is far past any maximum and keeps the number small.
    return bounds.clamp(bounds.minimum * (2 ** min(error_count, 20)))


def server_floor(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """The earliest time the server asked us to come back, from its response headers."""
    floors: list[datetime] = []
    retry_after = headers.get("retry-after")
    if retry_after:
        floors.extend(_seconds_or_date(retry_after, now))
    cache_control = headers.get("cache-control", "")
    match = re.search(r"(?:^|[,\s])(?:s-)?max-age\s*=\s*\"?([0-9]+)", cache_control, re.IGNORECASE)
    if match:
        age = _int_header(headers.get("age"))
        floors.append(_later(now, (_number(match.group(1)) or 0) - age))
    elif headers.get("expires"):  # max-age wins over Expires (RFC 9111 5.3)
        expires = _http_date(headers["expires"])
        if expires is not None:
            floors.append(expires)
    return max(floors) if floors else None


def next_poll(
    now: datetime,
    *,
    succeeded: bool,
    error_count: int = 0,
    entry_times: Iterable[datetime] = (),
    headers: Mapping[str, str] | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    rng: random.Random | None = None,
    previous: timedelta | None = None,
) -> NextPoll:
    """When to poll next after a fetch at `now` that `succeeded` (or failed `error_count` times).

    `previous` is the interval computed the last time entries were seen: a 304 says nothing new
    about the posting rate, so it keeps the interval it had.
    """
    if succeeded and previous is not None:
        interval = bounds.clamp(previous)
    elif succeeded:
        interval = posting_interval(entry_times, now, bounds)
    else:
        interval = backoff_interval(error_count, bounds)
    spread = (rng or random).uniform(-bounds.jitter, bounds.jitter)
    at = now + bounds.clamp(interval * (1 + spread))
    floor = server_floor(headers or {}, now)
    if floor is not None:
        at = max(at, min(floor, now + bounds.maximum))
    return NextPoll(at=at, interval=interval)


def entries_per_day(entry_times: Iterable[datetime], now: datetime) -> float | None:
    """How many entries a day the feed published over the last week, or None without dates."""
    times = [t for t in entry_times if t <= now + timedelta(hours=1)]
    if not times:
        return None
    week = [t for t in times if t >= now - timedelta(days=7)]
    return round(len(week) / 7, 2)


# A server's "come back in N seconds" is honoured up to this; `next_poll` caps it at the
# maximum interval anyway. Without a cap, a huge N overflows datetime and the answer is lost.
_LONGEST_HINT = timedelta(days=3650)


def _number(value: str | None) -> int | None:
    """A header's non-negative integer, or None. Never more than _LONGEST_HINT in seconds."""
    value = (value or "").strip()
    # str.isdigit() also accepts "²", which int() refuses; int() refuses 4,300 digits and more.
    if not (value.isascii() and value.isdecimal()):
        return None
    longest = int(_LONGEST_HINT.total_seconds())
    return longest if len(value) > len(str(longest)) else min(int(value), longest)


def _later(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=max(0, seconds))


def _int_header(value: str | None) -> int:
    return _number(value) or 0


def _seconds_or_date(value: str, now: datetime) -> list[datetime]:
    seconds = _number(value)
    if seconds is not None:
        return [_later(now, seconds)]
    when = _http_date(value)
    return [when] if when is not None else []


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None  # "0", "-1" and garbage mean "already expired" (RFC 9111 5.3)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:
        # "31 Dec 9999 23:59:59 -1200" is past the last date Python holds: as late as can be.
        return datetime.max.replace(tzinfo=UTC)
