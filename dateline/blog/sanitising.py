"""The blog's one door to the shared sanitiser: every HTML fragment of a post passes here."""

from __future__ import annotations

try:
    from dateline.core.sanitize import POST_BODY, sanitize_html
except ImportError:  # pragma: no cover - TEMPORARY until dateline/core/sanitize.py lands on main
    # The parse engineer's module (nh3 wrapper, named policies) is not merged yet. Until it is,
    # fall back to nh3's own conservative default allow-list so nothing unsafe is ever stored.
    import nh3

    POST_BODY = None

    def sanitize_html(html: str, policy: object, *, base_url: str | None = None) -> str:
        return nh3.clean(html)


def clean_post_html(html: str) -> str:
    """Sanitised HTML for a post's body, quote or update (YouTube/Vimeo/X embeds survive)."""
    if not html or not html.strip():
        return ""
    return sanitize_html(html, POST_BODY).strip()
