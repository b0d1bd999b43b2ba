"""The blog's one door to the shared sanitiser: every HTML fragment of a post passes here."""

from __future__ import annotations

from dateline.blog.domain.text import xml_safe
from dateline.core.sanitize import POST_BODY, sanitize_html


def clean_post_html(html: str) -> str:
    """Sanitised HTML for a post's body, quote or update (YouTube/Vimeo/X embeds survive), without
    the characters XML 1.0 forbids: the feeds carry it whole. Stripped after sanitising, since the
    parser turns a reference such as `&#1;` into the character itself."""
    if not html or not html.strip():
        return ""
    return xml_safe(sanitize_html(html, POST_BODY)).strip()
