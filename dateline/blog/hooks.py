"""Extension points of the public site, for apps that build on the blog (comments, later others).

The blog never imports those apps; they register here from their `AppConfig.ready()`:

    from dateline.blog import hooks
    hooks.register_post_section(render_comments)   # fn(request, post) -> SafeString

Sections are rendered in registration order in the post page's comments area. A section that
shows state which can change (comments) must call `dateline.blog.services.post_changed(post)`
when it does, or cached pages keep showing the old state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from dateline.blog.models import Post

PostSection = Callable[[HttpRequest, "Post"], SafeString]

_post_sections: list[PostSection] = []


def register_post_section(section: PostSection) -> PostSection:
    """Adds `section` to every post page; registering the same function twice is a no-op.

    Returns the function, so it can be used as a decorator.
    """
    if section not in _post_sections:
        _post_sections.append(section)
    return section


def post_sections() -> tuple[PostSection, ...]:
    return tuple(_post_sections)
