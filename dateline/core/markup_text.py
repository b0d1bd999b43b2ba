"""The words of sanitised HTML, as plain text: one rule for the wire's titles, the text the story
clusterer and the desk read of an article, and the blog's search index, summaries and meta tags.

The input is HTML that passed ``core.sanitize`` (or was written by Dateline): its serialiser
escapes "<" and ">" in text and in attribute values, so every "<" starts a tag and a tag ends at
the first ">". That makes a regular expression exact here, and it is many times faster than an
HTML parser on the long article bodies the clusterer reads. Raw HTML from outside must be
sanitised first.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]*>")
# Where a block ends or a line breaks, the words on either side are apart even when no space is
# written between them ("<p>Kyiv</p><p>Moscow</p>", "Update<br>Kyiv"): a space goes there.
_WORD_BOUNDARY = re.compile(
    r"</(?:p|div|li|dd|dt|blockquote|h[1-6]|figure|figcaption|caption|tr|td|th|pre|section"
    r"|article|aside|header|footer)\s*>|<(?:br|hr)\b[^>]*>",
    re.IGNORECASE,
)
_SPACE = re.compile(r"\s+")


def markup_text(markup: str) -> str:
    """The text of sanitised HTML: tags dropped (a space where a block or line ended),
    references decoded, white space collapsed. ``"<p>AT&amp;T <b>buys</b></p><p>Time</p>"``
    gives ``"AT&T buys Time"``."""
    text = _TAG.sub("", _WORD_BOUNDARY.sub(" ", markup or ""))
    return _SPACE.sub(" ", html.unescape(text)).strip()
