"""A post's body as the public site renders it, for whoever shows it away from its page: the
feeds, and porting's exports (`dateline export`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string

from dateline.blog.models import Post, PostPart


def body_html(post: Post, parts: Sequence[PostPart]) -> str:
    """`post`'s body (dateline place, then its parts in order) in the page's own markup; links
    stay as stored (root-relative ones too: the caller makes them absolute if it must)."""
    return render_to_string("blog/feed_content.html", {"post": post, "parts": parts})
