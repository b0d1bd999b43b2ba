"""The wire's error tree. Plain Python (no Django) so pure parsing code can raise it."""

from dateline.core.errors import InvalidInput


class WireError(InvalidInput):
    """Something about a feed or article could not be handled."""


class ParseError(WireError):
    """The bytes could not be read as a feed at all."""
