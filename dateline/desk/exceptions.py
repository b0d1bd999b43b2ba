"""The desk's error tree."""

from dateline.core.errors import Forbidden, InvalidInput


class DeskError(InvalidInput):
    """Something an editor asked of the desk could not be done; the message says why."""


class UnknownDecision(DeskError):
    """A moderation request that says neither "approve" nor "reject"."""


class NotAllowed(Forbidden):
    """A signed-in user whose account may not use this part of the desk."""
