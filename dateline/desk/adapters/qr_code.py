"""QR codes as inline SVG (segno): the one module that imports segno.

Drawn black on white whatever the page's theme: phone cameras read dark modules on a light field,
and the quiet zone around them is part of the code.
"""

from __future__ import annotations

import segno


def inline_svg(text: str, *, title: str) -> str:
    """An `<svg>` element, to place in an HTML page as is, encoding `text`."""
    code = segno.make(text, error="m")
    svg: str = code.svg_inline(scale=5, border=4, dark="#000", light="#fff", title=title)
    return svg
