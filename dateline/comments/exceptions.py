"""The comments app's error tree."""

from dateline.core.errors import InvalidInput, NotFound


class CommentError(InvalidInput):
    """A comment could not be accepted; the message says why, for the reader, and `field` names
    the form field at fault ("" when it is the whole form)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class CommentsClosed(NotFound):
    """The post (or comment) does not exist or does not take comments."""
