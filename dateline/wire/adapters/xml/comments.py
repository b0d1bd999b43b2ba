"""Conversation around an entry: RSS <comments>, wfw (CommentAPI), Atom Threading (RFC 4685).

(The RSS 1.0 content module, content:encoded, is an entry's content: see
``common.summary_and_content``. slash:comments, a comment count, is not read.)
"""

from __future__ import annotations

from dateline.wire.adapters.xml.common import url_of
from dateline.wire.adapters.xml.reading import Children, Context
from dateline.wire.adapters.xml.text import attribute, url_attribute
from dateline.wire.domain.records import InReplyTo


def comments_page(children: Children, context: Context) -> str | None:
    """Where the entry's comments are read (RSS <comments>)."""
    return url_of(children, "comments", context)


def comments_feed(children: Children, context: Context) -> str | None:
    """A feed of the entry's comments (wfw:commentRss)."""
    return url_of(children, "wfw:commentrss", context)


def comment_api(children: Children, context: Context) -> str | None:
    """Where the CommentAPI takes new comments (wfw:comment)."""
    return url_of(children, "wfw:comment", context)


def in_reply_to(children: Children, context: Context) -> tuple[InReplyTo, ...]:
    """What the entry (or a feed of replies) answers: thr:in-reply-to, each with a ref."""
    found = []
    for element in children.all("thr:in-reply-to"):
        ref = attribute(element, "ref")
        if ref:
            found.append(
                InReplyTo(
                    ref=ref,
                    href=url_attribute(element, context, "href"),
                    type=attribute(element, "type"),
                    source=url_attribute(element, context, "source"),
                )
            )
    return tuple(found)
