"""The comments app's error tree."""

from dateline.core.errors import InvalidInput, NotFound


class CommentError(InvalidInput):
    """A comment could not be accepted; the message says why, for the reader."""


class CommentsClosed(NotFound):
    """The post does not exist or does not take comments."""
