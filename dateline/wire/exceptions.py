"""The wire's error tree. Plain Python (no Django) so pure parsing code can raise it."""

from dateline.core.errors import Conflict, InvalidInput, NotFound


class WireError(InvalidInput):
    """Something about a feed or article could not be handled."""


class ParseError(WireError):
    """The bytes could not be read as a feed at all.

    ``what`` says what is wrong in words an editor understands ("not a feed: an HTML page");
    ``where`` says where (a URL, a file name, "line 3, column 7"), or is empty when unknown.
    The underlying parser's error, if any, is chained as ``__cause__``.
    """

    def __init__(self, what: str, where: str = "") -> None:
        self.what = what
        self.where = where
        super().__init__(f"{what} ({where})" if where else what)


class FeedNotFound(WireError, NotFound):
    """No feed has the id or URL asked for."""


class WriteConflict(WireError, Conflict):
    """Other writers kept storing the same articles first; nothing was written. Try again."""
