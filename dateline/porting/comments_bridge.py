"""Every call porting makes to the comments app, in one place.

Written against the threaded `comments.services.record()` (parent, email, url, kind, status
with spam and deleted, created_at, an HTML body sanitised with the comment policy, names of any
length). Until that lands, today's `record()` (no thread, plain-text body, pending/approved/
rejected, names up to 100 characters) is used and what it cannot hold is said in `LIMITS`.
"""

from __future__ import annotations

import inspect

from dateline.blog.models import Post
from dateline.comments import services as comments
from dateline.comments.models import Comment
from dateline.core.markup_text import markup_text
from dateline.porting.domain.records import CommentStatus, SourceComment

_PARAMETERS = inspect.signature(comments.record).parameters
THREADED = "parent" in _PARAMETERS and "body_html" in _PARAMETERS
LIMITS = (
    ()
    if THREADED
    else (
        "comments.record() keeps no parent, email, URL or kind yet: threads are counted, not "
        "stored",
        "spam and deleted comments are stored as rejected; HTML bodies as their text",
    )
)
_TODAY_STATUS = {
    CommentStatus.APPROVED: "approved",
    CommentStatus.PENDING: "pending",
    CommentStatus.SPAM: "rejected",
    CommentStatus.DELETED: "rejected",
}
_TODAY_MAX_NAME = 100


def store(post: Post, comment: SourceComment, *, parent_id: int | None) -> int:
    """Stores one imported comment; its id."""
    if THREADED:
        stored = comments.record(  # type: ignore[call-arg]
            post,
            author_name=comment.author,
            body_html=comment.body_html,
            parent=Comment(pk=parent_id) if parent_id is not None else None,
            email=comment.email,
            url=comment.url,
            kind=comment.kind.value,
            status=comment.status.value,
            created_at=comment.created_at,
        )
        return int(stored.pk)
    body = markup_text(comment.body_html) or "(empty)"
    stored = comments.record(
        post,
        author_name=comment.author[:_TODAY_MAX_NAME],
        body=body,
        status=_TODAY_STATUS[comment.status],
        created_at=comment.created_at,
    )
    return int(stored.pk)
