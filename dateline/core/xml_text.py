"""The characters XML 1.0 cannot carry at all, not even as character references: the C0 controls
but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. HTML forbids the same controls in a page's
text. One of them in a value makes a feed or OPML file unwritable or unreadable, so what Dateline
writes out is cleaned with ``NOT_IN_XML`` first (the blog's posts, the wire's OPML export).
"""

from __future__ import annotations

import re

NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
