"""The desk's error tree."""

from dateline.core.errors import Forbidden, InvalidInput


class DeskError(InvalidInput):
    """Something an editor asked of the desk could not be done; the message says why."""


class UnknownDecision(DeskError):
    """A moderation request that says neither "approve" nor "reject"."""


class NotAllowed(Forbidden):
    """A signed-in user whose account may not use this part of the desk."""


class SuggestionGone(DeskError):
    """An update suggestion that is no longer there to accept: its post or article was deleted,
    or it was already accepted or dismissed (another tab, another editor)."""


class SuggestionRefused(DeskError):
    """An update the blog would not append (no text, an article without a web address)."""


class StoryActionRefused(DeskError):
    """A triage or story action the desk cannot do: an unknown action, a bad snooze time."""
