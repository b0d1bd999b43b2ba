"""The root of every error Dateline raises on purpose.

Each app has its own tree under this one (``wire.exceptions``, ``blog.exceptions``...), and the web
layer maps the tree to HTTP answers in one place, so a bad feed, URL or comment never becomes a 500.
"""


class DatelineError(Exception):
    """An expected failure with a message fit for the person who caused it."""


class ConfigurationError(DatelineError):
    """A setting is missing or has a value Dateline cannot use."""


# The kinds below are how the web layer knows what to answer (see core/http_errors.py). Each app's
# own errors subclass one of them, so the mapping to HTTP lives in one place.
class InvalidInput(DatelineError):
    """The request or file is malformed or fails a rule: answered with 400."""


class Forbidden(DatelineError):
    """The person may not do this: answered with 403."""


class NotFound(DatelineError):
    """The thing asked for does not exist (or is not public): answered with 404."""


class Conflict(DatelineError):
    """The request clashes with the current state: answered with 409."""
