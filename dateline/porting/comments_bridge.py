"""Every call porting makes to the comments app, in one place.

Written against the threaded `comments.services.record()` (parent, email, url, kind, status
with spam and deleted, created_at, an HTML body sanitised with the comment policy, names of any
length). Until that lands, today's `record()` (no thread, plain-text body, pending/approved/
rejected, names up to 100 characters) is used and what it cannot hold is said in `LIMITS`.
"""

from __future__ import annotations

import html
import inspect

from dateline.blog.models import Post
from dateline.comments import services as comments
from dateline.comments.models import Comment
from dateline.core.markup_text import markup_text
from dateline.porting.domain.records import CommentKind, CommentStatus, SourceComment
from dateline.porting.domain.writers import ExportComment

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
            parent=Comment(pk=parent_id, post_id=post.pk) if parent_id is not None else None,
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


_STATUS_BACK = {
    "approved": CommentStatus.APPROVED,
    "pending": CommentStatus.PENDING,
    "rejected": CommentStatus.SPAM,
    "spam": CommentStatus.SPAM,
    "deleted": CommentStatus.DELETED,
}


def comments_for_export(post_ids: list[int]) -> dict[int, list[ExportComment]]:
    """The comments of these posts, oldest first, as export records."""
    found: dict[int, list[ExportComment]] = {}
    for comment in Comment.objects.filter(post_id__in=post_ids).order_by("created_at", "id"):
        body_html = getattr(comment, "body_html", "") or _paragraphs(comment.body)
        kind = getattr(comment, "kind", "comment")
        found.setdefault(comment.post_id, []).append(
            ExportComment(
                id=comment.pk,
                body_html=body_html,
                author=comment.author_name,
                email=getattr(comment, "email", ""),
                url=getattr(comment, "url", ""),
                parent_id=comment.parent_id,
                status=_STATUS_BACK.get(comment.status, CommentStatus.PENDING),
                kind=CommentKind(kind)
                if kind in {k.value for k in CommentKind}
                else CommentKind.COMMENT,
                created_at=comment.created_at,
            )
        )
    return found


def _paragraphs(text: str) -> str:
    return "\n\n".join(html.escape(line, quote=False) for line in text.split("\n\n"))
