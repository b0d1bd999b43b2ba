"""When sign-ins are refused: too many failures for one account or from one address.

A key (an account, a client address) is refused when its last `limit` failures all fall within
`window`, until `lockout` after the newest of them. Attempts refused meanwhile are not failures
(the password was never tried), so the lockout runs from the failure that reached the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottleRule:
    limit: int
    window: timedelta
    lockout: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("a throttle needs a limit of one failure or more")

    @property
    def remembered(self) -> timedelta:
        """How long a failure can still matter: older ones may be forgotten."""
        return self.window + self.lockout


def refused_until(
    failures_newest_first: Sequence[datetime], rule: ThrottleRule, now: datetime
) -> datetime | None:
    """The time until which a key with these failures is refused, or None when it is not.

    Only the newest `rule.limit` failures are read; callers fetch no more than that.
    """
    if len(failures_newest_first) < rule.limit:
        return None
    newest = failures_newest_first[0]
    oldest_counted = failures_newest_first[rule.limit - 1]
    if newest - oldest_counted > rule.window:
        return None
    until = newest + rule.lockout
    return until if until > now else None
