"""Comment bodies from the small Markdown subset readers write: the one module using markdown-it.

Paragraphs, line breaks, emphasis, links, quotes and code; nothing else (no headings, images,
tables or raw HTML: `<b>` typed in a comment shows as text). The output still passes the shared
sanitiser's comment policy before it is stored, so a link's scheme is checked twice.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

# "zero" enables paragraphs and text only; the subset is named here, rule by rule.
_RULES = ["emphasis", "link", "autolink", "blockquote", "backticks", "fence", "code", "escape",
          "newline", "entity"]  # fmt: skip

_renderer = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False}).enable(_RULES)
# Deep quote nesting (">>>>>…") would cost recursion; markdown-it caps it at this many levels.
_renderer.options["maxNesting"] = 20


def render(source: str) -> str:
    """The HTML of `source` (unsanitised: pass it through the comment policy)."""
    return str(_renderer.render(source))
