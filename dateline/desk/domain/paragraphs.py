"""An article's text as paragraphs an editor ticks to build a quote, and the quote back as HTML.

The article's text is sanitised HTML (the wire's feed-content policy) or, for a summary, often a
single run of text. Each block (a paragraph, a list item, a quote, a heading) is one paragraph of
plain text; a summary without blocks is split where it breaks lines. Plain text, so what the
editor ticks is what the reader reads: the blog sanitises the quote again when it is written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from dateline.core.markup_text import markup_text

# Where one paragraph ends and the next begins in sanitised HTML.
_BLOCK_END = re.compile(
    r"</(?:p|div|li|dd|dt|blockquote|h[1-6]|figure|figcaption|pre|section|article|tr)\s*>"
    r"|<br\s*/?>\s*<br\s*/?>",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(r"\n\s*\n")
# A paragraph of fewer words than this is a caption, a byline or a button's text, not a quote.
MIN_WORDS = 4
# "KYIV, Ukraine (AP) —", "RAQQA, Syria —", "LONDON (Reuters) -": a wire dateline opening the text.
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'\- ]{1,40}[A-Z.](?:,\s*[A-Z][A-Za-z.'\- ]{1,40}[A-Za-z.])?)"
    r"\s*(?:\([^)]{1,40}\))?\s*[\u2014\u2013-]{1,2}\s"
)


def paragraphs(markup: str) -> tuple[str, ...]:
    """The paragraphs of sanitised HTML, as plain text, in order, without repeats."""
    blocks = _BLOCK_END.split(markup or "")
    if len(blocks) == 1:
        blocks = _BLANK_LINE.split(markup or "")
    found: list[str] = []
    for block in blocks:
        text = markup_text(block)
        if text and text not in found and (len(text.split()) >= MIN_WORDS or not found):
            found.append(text)
    return tuple(found)


def quote_html(texts: Iterable[str]) -> str:
    """Plain-text paragraphs as the HTML of a quote."""
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in texts if text.strip())


def typed_html(text: str) -> str:
    """What an editor typed in a text box, as HTML: HTML as it is (the blog sanitises it),
    plain text as paragraphs (a blank line between them, a line break within)."""
    stripped = (text or "").strip()
    if not stripped:
        return ""
    if stripped.startswith("<") and stripped.endswith(">"):
        return stripped
    blocks = [block.strip() for block in _BLANK_LINE.split(stripped)]
    return "".join(
        "<p>"
        + "<br>".join(html.escape(line.strip(), quote=False) for line in block.splitlines())
        + "</p>"
        for block in blocks
        if block
    )


def split_quote(quote_markup: str, offered: Sequence[str]) -> tuple[tuple[int, ...], str]:
    """A stored quote read back against the article's paragraphs: the indexes of the offered
    paragraphs it quotes, and what else it holds (as plain paragraphs), so an edit screen ticks
    what was ticked and keeps the rest in the free-text box."""
    ticked: list[int] = []
    rest: list[str] = []
    for text in paragraphs(quote_markup):
        if text in offered:
            ticked.append(offered.index(text))
        else:
            rest.append(text)
    return tuple(sorted(set(ticked))), "\n\n".join(rest)


def dateline_place(text: str) -> str:
    """The place a wire dateline opens the text with ("KYIV, Ukraine"), or ""."""
    found = _DATELINE.match((text or "").lstrip())
    if found is None:
        return ""
    place = found.group("place").strip()
    head = place.split(",")[0]
    # The city is written in capitals; a sentence that happens to open with a capital and a dash
    # ("A - B") is not a dateline.
    return place if head.isupper() and len(head.replace(" ", "")) >= 2 else ""


_SIMPLE_PARAGRAPHS = re.compile(r"(?:<p>(?:[^<]|<br\s*/?>)*</p>\s*)+")


def editable_text(markup: str) -> str:
    """Stored HTML as an editor retypes it: paragraphs of plain text when that is all it is
    (what `typed_html` made), else the HTML itself, which `typed_html` keeps."""
    stripped = (markup or "").strip()
    if not stripped or not _SIMPLE_PARAGRAPHS.fullmatch(stripped):
        return stripped
    blocks = re.findall(r"<p>(.*?)</p>", stripped, flags=re.DOTALL)
    return "\n\n".join(html.unescape(re.sub(r"<br\s*/?>", "\n", block)).strip() for block in blocks)
