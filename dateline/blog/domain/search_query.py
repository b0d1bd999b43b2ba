"""Turning what a reader typed into a search that cannot fail.

Readers type quotes, operators (AND, NEAR, -), column filters (headline:), markup and junk. We
never hand that text to the search engine's own syntax: we keep only words, and the backend
quotes each one as a literal term.
"""

from __future__ import annotations

import unicodedata

from dateline.blog.domain.words import WORD

MAX_TERMS = 12
MAX_TERM_LENGTH = 64


def search_terms(query: str) -> tuple[str, ...]:
    """The distinct words of `query`, lower-cased, in order; at most MAX_TERMS of them."""
    seen: dict[str, None] = {}
    # Composed, as the index is (search.index_post): typed or pasted decomposed, "école" is "e"
    # and a combining accent, and \w would cut it into the words "e" and "cole".
    for match in WORD.finditer(unicodedata.normalize("NFC", query or "")):
        # "İ" (Turkish capital dotted I) is the one letter whose lower case is two characters,
        # "i" and a combining dot; the engines index "İstanbul" as "istanbul".
        word = match.group(0).lower().replace("i\u0307", "i")[:MAX_TERM_LENGTH]
        if word.strip("_"):
            seen.setdefault(word, None)
        if len(seen) == MAX_TERMS:
            break
    return tuple(seen)


def fts5_match_expression(terms: tuple[str, ...]) -> str:
    """An FTS5 MATCH string where every term is a quoted literal (implicit AND between them).

    The last term matches as a prefix, so a reader typing "damasc" finds "Damascus".
    """
    quoted = [f'"{term}"' for term in terms]  # terms are words only: no quote can appear inside
    if quoted:
        quoted[-1] += "*"
    return " ".join(quoted)
