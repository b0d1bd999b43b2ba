"""The blog's error tree. Each kind maps to an HTTP answer through dateline.core.errors."""

from __future__ import annotations

from dateline.core.errors import Conflict, InvalidInput, NotFound


class BlogError(InvalidInput):
    """A post, part or label could not be written as asked."""


class InvalidPost(BlogError):
    """A post's fields break a rule (empty headline, bad status, bad slug...)."""

    def __init__(self, message: str, *, post_id: int | None = None) -> None:
        where = f"post {post_id}: " if post_id is not None else ""
        super().__init__(f"{where}{message}")
        self.post_id = post_id


class InvalidPart(BlogError):
    """A part of a post's body is malformed (a citation without URL, an unknown kind...)."""

    def __init__(self, message: str, *, post_id: int | None = None, position: int | None = None):
        where = f"post {post_id}" if post_id is not None else "new post"
        if position is not None:
            where += f", part {position}"
        super().__init__(f"{where}: {message}")
        self.post_id = post_id
        self.position = position


class SlugTaken(Conflict):
    """Another post already answers at that slug."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"the slug {slug!r} is already used by another post")
        self.slug = slug


class PostNotFound(NotFound):
    """No public post answers at this address."""

    def __init__(self, where: str) -> None:
        super().__init__(f"no published post at {where}")
        self.where = where


class InvalidImage(BlogError):
    """An upload is not a picture a browser can show, or is damaged or too large."""


class StaleEdit(Conflict):
    """The post was saved by someone else since the editor's form was loaded."""

    def __init__(self, post_id: int, loaded: int, current: int) -> None:
        super().__init__(
            f"post {post_id} was saved again (revision {current}) after this form was loaded "
            f"from revision {loaded}"
        )
        self.post_id = post_id
        self.loaded = loaded
        self.current = current


class PostGone(NotFound):
    """The post an editor is working on no longer exists (deleted meanwhile)."""

    def __init__(self, post_id: int) -> None:
        super().__init__(f"post {post_id} no longer exists")
        self.post_id = post_id
