"""Small HTML chores the readers need, on strings: WordPress's paragraphs, plain text to HTML."""

from __future__ import annotations

import html
import re

# Blocks WordPress's wpautop leaves alone: a chunk starting with one is already HTML.
_BLOCK_START = re.compile(
    r"^\s*<(?:p|div|h[1-6]|ul|ol|li|dl|blockquote|pre|table|figure|hr|iframe|address|section|"
    r"article|aside|header|footer|nav|form|fieldset|details|!--)[\s>/]",
    re.IGNORECASE,
)
_BLANK_LINES = re.compile(r"\n\s*\n")


def autop(text: str) -> str:
    """WordPress stores posts and comments with blank lines for paragraphs and line breaks for
    <br>, and adds the tags when it shows them (wpautop): the same here, so an imported post
    reads as it did. Chunks that are already blocks of HTML are kept as they are."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    chunks = [chunk.strip() for chunk in _BLANK_LINES.split(text) if chunk.strip()]
    out = []
    for chunk in chunks:
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def text_to_html(text: str) -> str:
    """Plain text (an Atom `type="text"` content) as HTML paragraphs."""
    return autop(html.escape(text, quote=False))


_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def image_sources(markup: str) -> list[str]:
    """The http(s) addresses of the pictures a body shows, in order, each once."""
    found: dict[str, None] = {}
    for match in _IMG_SRC.finditer(markup):
        url = html.unescape(next(group for group in match.groups() if group is not None)).strip()
        if url.startswith(("http://", "https://", "//")):
            found.setdefault(url, None)
    return list(found)
