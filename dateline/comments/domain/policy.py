"""The moderation policy, declared in one place: which public comments wait for a moderator.

`DATELINE_COMMENT_MODERATION` is one of:
- `none`: a comment that passes the spam checks shows at once;
- `all`: every comment waits;
- `first-time`: a commenter whose name and email both match an approved comment is approved at
  once, as WordPress ships;
- `older-than:N`: `none` on posts up to N days old, `all` on older ones (Blogger's rule).
It governs the public form only; imports (`record()`) keep the status they are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Mode(StrEnum):
    NONE = "none"
    ALL = "all"
    FIRST_TIME = "first-time"
    OLDER_THAN = "older-than"


class PolicyError(ValueError):
    """The policy's text is not one of the forms above."""


@dataclass(frozen=True, slots=True)
class ModerationPolicy:
    mode: Mode
    days: int = 0  # for OLDER_THAN only

    @classmethod
    def parse(cls, text: str) -> ModerationPolicy:
        text = text.strip().lower()
        if text.startswith("older-than:"):
            count = text.partition(":")[2]
            if not count.isdigit() or not 0 <= int(count) <= 36500:
                raise PolicyError(f"older-than:N needs N days, 0 to 36500, not {count!r}")
            return cls(Mode.OLDER_THAN, int(count))
        try:
            return cls(Mode(text))
        except ValueError:
            raise PolicyError(
                f"{text!r} is not a moderation policy: use none, all, first-time or older-than:N"
            ) from None

    def holds(self, *, known_commenter: bool, post_published_at: datetime, now: datetime) -> bool:
        """Whether a comment that passed every spam check still waits for a moderator."""
        if self.mode is Mode.NONE:
            return False
        if self.mode is Mode.ALL:
            return True
        if self.mode is Mode.FIRST_TIME:
            return not known_commenter
        return now - post_published_at > timedelta(days=self.days)

    def notice(self) -> str:
        """What the form's notice tells readers about their comment."""
        if self.mode is Mode.NONE:
            return "Comments appear at once."
        if self.mode is Mode.ALL:
            return "Comments appear once a moderator has read them."
        if self.mode is Mode.FIRST_TIME:
            return (
                "Your first comment appears once a moderator has read it; later ones with the "
                "same name and email appear at once."
            )
        return (
            f"Comments appear at once on posts up to {self.days} days old; on older posts, "
            "once a moderator has read them."
        )


def commenting_closed(*, published_at: datetime, close_after_days: int, now: datetime) -> bool:
    """Commenting closes `close_after_days` after publication; 0 means never."""
    return close_after_days > 0 and now - published_at > timedelta(days=close_after_days)
