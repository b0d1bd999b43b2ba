"""The blog's one door to the shared sanitiser: every HTML fragment of a post passes here."""

from __future__ import annotations

from dateline.core.sanitize import POST_BODY, sanitize_html


def clean_post_html(html: str) -> str:
    """Sanitised HTML for a post's body, quote or update (YouTube/Vimeo/X embeds survive)."""
    if not html or not html.strip():
        return ""
    return sanitize_html(html, POST_BODY).strip()
