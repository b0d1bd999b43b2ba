"""The desk's error tree."""

from dateline.core.errors import InvalidInput


class DeskError(InvalidInput):
    """Something an editor asked of the desk could not be done; the message says why."""


class UnknownDecision(DeskError):
    """A moderation request that says neither "approve" nor "reject"."""
