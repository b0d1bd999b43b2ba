"""The comments area of a post page, rendered into the blog through its extension point."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dateline.blog.models import Post
from dateline.comments import services
from dateline.comments.forms import CommentForm
from dateline.comments.models import Comment


def comment_section(request: HttpRequest, post: Post) -> SafeString:
    comments = Comment.objects.approved().filter(post=post)
    form = CommentForm(initial={"stamp": services.form_stamp()})
    html = render_to_string(
        "comments/section.html", {"post": post, "comments": comments, "form": form}
    )
    return mark_safe(html)
