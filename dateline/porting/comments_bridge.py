"""Every call porting makes to the comments app, in one place: `prepare_record()` and
`record_many()` for imported comments (parent, email, URL, kind, status and HTML body, sanitised
there with the comment policy) and the comments of posts for an export."""

from __future__ import annotations

from dateline.blog.models import Post
from dateline.comments import services as comments
from dateline.comments.models import Comment
from dateline.porting.domain.records import CommentKind, CommentStatus, SourceComment
from dateline.porting.domain.writers import ExportComment


def prepare(post: Post, comment: SourceComment, *, parent_id: int | None) -> Comment:
    """One imported comment, checked and sanitised by the comments app, not yet stored.
    `parent_id` is a stored comment of the same post."""
    return comments.prepare_record(
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


def store(prepared: list[Comment]) -> list[int]:
    """Stores prepared comments at once, quietly (the import changes the site once, on
    commit); their ids, in order."""
    return [int(comment.pk) for comment in comments.record_many(prepared, quiet=True)]


_STATUS_BACK = {
    "approved": CommentStatus.APPROVED,
    "pending": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "deleted": CommentStatus.DELETED,
}


def comments_for_export(post_ids: list[int]) -> dict[int, list[ExportComment]]:
    """The comments of these posts, oldest first, as export records."""
    found: dict[int, list[ExportComment]] = {}
    for comment in Comment.objects.filter(post_id__in=post_ids).order_by("created_at", "id"):
        kind = comment.kind
        found.setdefault(comment.post_id, []).append(
            ExportComment(
                id=comment.pk,
                body_html=comment.body_html,
                author=comment.author_name,
                email=comment.email,
                url=comment.url,
                parent_id=comment.parent_id,
                status=_STATUS_BACK.get(comment.status, CommentStatus.PENDING),
                kind=CommentKind(kind)
                if kind in {k.value for k in CommentKind}
                else CommentKind.COMMENT,
                created_at=comment.created_at,
            )
        )
    return found
