"""The comments area of a post page, rendered into the blog through its extension point."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dateline.blog.models import Post
from dateline.comments import services
from dateline.comments.domain.threads import Node, arrange
from dateline.comments.models import Comment, CommentingMode, CommentStatus, PostCommenting


@dataclass(frozen=True, slots=True)
class ShownComment:
    comment: Comment
    depth: int
    opens: bool
    closes: range  # iterated by the template to close that many reply groups


# The post page costs a fixed, small number of queries (blog/tests/test_query_counts.py): the
# thread and the post's own commenting setting come in one statement. The left joins from a
# one-row table give one row even when the post has no comment and no setting of its own.
_THREAD_SQL = """
SELECT c.id, c.parent_id, c.status, c.author_name, c.url, c.body_html, c.created_at, c.kind,
       c.edited_at, c.post_id, m.mode AS own_mode
FROM (SELECT %s AS post_id) AS p
LEFT JOIN {settings_table} AS m ON m.post_id = p.post_id
LEFT JOIN {comments_table} AS c ON c.post_id = p.post_id AND c.status IN (%s, %s)
ORDER BY c.created_at, c.id
"""


def thread_and_mode(post: Post) -> tuple[list[ShownComment], str | None]:
    """The comments a post page shows, arranged, and the post's own commenting setting."""
    sql = _THREAD_SQL.format(
        settings_table=connection.ops.quote_name(PostCommenting._meta.db_table),
        comments_table=connection.ops.quote_name(Comment._meta.db_table),
    )
    rows = list(Comment.objects.raw(sql, [post.pk, CommentStatus.APPROVED, CommentStatus.DELETED]))
    own = rows[0].own_mode if rows else None
    comments = [row for row in rows if row.pk is not None]
    by_id = {comment.pk: comment for comment in comments}
    nodes = [Node(c.pk, c.parent_id, c.status == CommentStatus.APPROVED) for c in comments]
    shown = [
        ShownComment(by_id[placed.id], placed.depth, placed.opens, range(placed.closes))
        for placed in arrange(nodes, max_depth=settings.COMMENT_THREAD_DEPTH)
    ]
    return shown, own


def comment_section(request: HttpRequest, post: Post) -> SafeString:
    shown, own = thread_and_mode(post)
    mode = services.commenting_mode(post, own=own)
    reply_to = _reply_target(request, shown)
    html = render_to_string(
        "comments/section.html",
        {
            "post": post,
            "shown": shown,
            "count": sum(1 for item in shown if item.comment.is_visible),
            "closed": mode == CommentingMode.CLOSED,
            "notice": _notice(mode),
            "form": {"stamp": services.form_stamp()},
            "reply_to": reply_to,
        },
    )
    return mark_safe(html)


def _reply_target(request: HttpRequest, shown: list[ShownComment]) -> Comment | None:
    # ?replytocom=N moves the form under comment N without JavaScript (WordPress's parameter).
    wanted = request.GET.get("replytocom", "")
    if not wanted.isdigit():
        return None
    for item in shown:
        if item.comment.pk == int(wanted) and item.comment.is_visible:
            return item.comment
    return None


def _notice(mode: str) -> str:
    if mode == CommentingMode.MODERATED:
        return "Comments on this post appear once a moderator has read them."
    return services.moderation_policy().notice()


def count_approved(post_ids: list[int]) -> dict[int, int]:
    rows = (
        Comment.objects.filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(n=Count("id", filter=Q(status=CommentStatus.APPROVED)))
    )
    return {row["post_id"]: row["n"] for row in rows}
