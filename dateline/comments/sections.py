"""The comments area of a post page, rendered into the blog through its extension point."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dateline.blog.models import Post
from dateline.comments import services
from dateline.comments.domain.threads import Node, arrange
from dateline.comments.models import Comment, CommentingMode, CommentStatus


@dataclass(frozen=True, slots=True)
class ShownComment:
    comment: Comment
    depth: int
    opens: bool
    closes: range  # iterated by the template to close that many reply groups


def thread(post: Post) -> list[ShownComment]:
    comments = list(
        Comment.objects.filter(
            post=post, status__in=(CommentStatus.APPROVED, CommentStatus.DELETED)
        )
        .only(
            "id",
            "parent_id",
            "status",
            "author_name",
            "url",
            "body_html",
            "created_at",
            "kind",
            "edited_at",
            "post_id",
        )
        .order_by("created_at", "id")
    )
    by_id = {comment.pk: comment for comment in comments}
    nodes = [Node(c.pk, c.parent_id, c.status == CommentStatus.APPROVED) for c in comments]
    return [
        ShownComment(by_id[placed.id], placed.depth, placed.opens, range(placed.closes))
        for placed in arrange(nodes, max_depth=settings.COMMENT_THREAD_DEPTH)
    ]


def comment_section(request: HttpRequest, post: Post) -> SafeString:
    shown = thread(post)
    mode = services.commenting_mode(post)
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
