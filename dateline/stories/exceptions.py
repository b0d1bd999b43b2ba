"""The stories app's error tree."""

from dateline.core.errors import InvalidInput, NotFound


class StoriesError(InvalidInput):
    """Something about a story or a stories command could not be done."""


class InvalidCorrection(StoriesError):
    """An editor's correction that makes no sense (merging a story into itself...)."""


class ArticleNotInStory(StoriesError, NotFound):
    """The article asked for belongs to no story (yet)."""


class BadArticleFile(StoriesError):
    """A JSON-lines file of articles could not be read; ``where`` says which line."""

    def __init__(self, what: str, where: str = "") -> None:
        self.what = what
        self.where = where
        super().__init__(f"{what} ({where})" if where else what)


class EncoderUnavailable(StoriesError):
    """The sentence encoder's weights are missing or unreadable."""
