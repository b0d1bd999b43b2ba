"""What a word is, in slugs and in searches: letters and digits of every script with the marks
that complete them.

Python's ``\\w`` takes letters and digits but not combining marks (Unicode category M), and most
scripts of South and South-East Asia write vowels as marks: Hindi "नमस्ते" is the letters न, म, स
and त, with a virama joining स to त and a vowel sign after त. Cut at its marks it reads "नमस" and
"त", so a slug spelled other words, and on PostgreSQL, whose parser keeps marks in words, a
search for the word found nothing. Accents of Latin, Greek or Cyrillic letters compose with them
(NFC), so there a mark left alone is rare, but it is kept too.
"""

from __future__ import annotations

import itertools
import re
import unicodedata


def _mark_ranges() -> str:
    """The combining marks, as the ranges of a regular-expression character class."""
    # Unicode has placed marks in planes 0 and 1 and in plane 14's variation selectors only (a
    # scan of every code point finds the same 2,408): the scan runs at start, so it stops there.
    codes = itertools.chain(range(0x20000), range(0xE0100, 0xE01F0))
    marks = [code for code in codes if unicodedata.category(chr(code))[0] == "M"]
    ranges: list[str] = []
    start = previous = marks[0]
    for code in [*marks[1:], -1]:
        if code != previous + 1:
            ranges.append(f"\\U{start:08x}" + (f"-\\U{previous:08x}" if previous != start else ""))
            start = code
        previous = code
    return "".join(ranges)


# Inside a character class: every combining mark.
MARKS = _mark_ranges()
# A word: a letter or digit (\w, which has "_" too), then more of them or marks. A mark that
# follows no letter (the variation selector of an emoji: "❤️") starts none.
WORD = re.compile(rf"\w[\w{MARKS}]*")
