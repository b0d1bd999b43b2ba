"""Which URL schemes a parsed feed's URL fields may carry: the one rule both parsers apply.

A feed's URLs end up in an href or a src that a reader or an editor clicks or a browser loads:
a feed link, an enclosure, a thumbnail, a logo, a comments page, an author's page. A feed may
write any scheme there, and ``javascript:``, ``vbscript:`` or ``data:`` would run or show
whatever the feed chose. So a URL field keeps only the schemes its use needs (``WEB``: http
and https; ``PERSON``: those and ``mailto:``, since an author's address may be a mail
address, which Atom and JSON Feed allow) and the parsers drop any other URL, with a warning.
A relative reference (no scheme) is kept: the parser resolved it against a web base if it
had one, and a browser resolves it against a page's own address.

Ids (guid, atom:id, rdf:about), which are names and never links, do not follow this rule.
See docs/decisions/0105-url-schemes-in-parsed-feeds.md.
"""

from __future__ import annotations

import re

WEB = frozenset({"http", "https"})
PERSON = WEB | {"mailto"}

# What the WHATWG URL parser (which browsers follow) ignores before reading a scheme: C0
# controls and spaces before it, and tabs and newlines anywhere ("java\tscript:" runs).
_LEADING = "".join(chr(code) for code in range(0x21))
_TABS_AND_NEWLINES = re.compile("[\t\n\r]")
_SCHEME_NAME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def scheme_of(url: str) -> str:
    """The scheme a browser reads in ``url``, lower-cased; "" for a relative reference."""
    name, colon, _ = url.lstrip(_LEADING).partition(":")
    if not colon:
        return ""
    name = _TABS_AND_NEWLINES.sub("", name)
    return name.lower() if _SCHEME_NAME.fullmatch(name) else ""


def is_allowed(url: str, schemes: frozenset[str] = WEB) -> bool:
    """Whether a URL field whose use allows ``schemes`` may keep ``url`` (relative: yes)."""
    if url.startswith(("https://", "http://")):
        return True  # most URLs: nothing to read
    scheme = scheme_of(url)
    return not scheme or scheme in schemes


def dropped_warning(url: str, where: str, schemes: frozenset[str] = WEB) -> str:
    """The parser warning for a URL dropped from ``where`` (an element or a JSON field)."""
    *others, last = sorted(schemes)
    kept = f"{', '.join(others)} and {last}" if others else last
    return f"a {scheme_of(url)}: URL in {where} was dropped: only {kept} URLs are kept there"
