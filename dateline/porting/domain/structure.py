"""Structure recovered from hand-written news posts (the seed blog's shape) into blog parts.

A post in that shape reads, block by block:

    The Guardian: <a href="https://...">Russia and US 'planning joint operation'</a>
    <blockquote>Officials said talks were at an advanced stage ...</blockquote>
    <a href="https://...">Read more</a> ....
    Update: Fighting has resumed near the dam (RUDAW).
    WNU Editor: This would be a first.

Rules, each on one block (a paragraph, a quote, or a run of text between double line breaks):

- A source line is "Outlet: headline" holding an http(s) link (the headline or the whole line
  linked); it opens a citation. Without such a link it stays prose.
- Quotes right after a source line (one or several) are that citation's excerpt.
- "Read more" (linked or not) after a citation is dropped: the page writes its own.
- "Update: ..." / "Update #2: ..." is an update at the post's updated (else published) time;
  a trailing "(OUTLET)" whose text is linked becomes the update's source.
- "<Name> Editor: ..." opens the editor's commentary; the prose blocks after it belong to it.
- Anything else ("Hat tip: ...", an editor's note before the quote, plain paragraphs) is prose.

A body with no citation is not in that shape: it stays one raw-HTML part, as written.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime

from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    PartDraft,
    ProseDraft,
    RawHtmlDraft,
    UpdateDraft,
)

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_BLOCKS = frozenset({"p", "blockquote", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"})
_VOID = frozenset({"br", "img", "hr", "wbr", "input", "meta", "link", "source", "embed"})
_DOUBLE_BREAK = re.compile(r"(?:<br\s*/?>\s*(?:&nbsp;|\s)*){2,}", re.IGNORECASE)
_LINK = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>(.*?)</a\s*>""",
    re.IGNORECASE | re.DOTALL,
)
_ANY_TAG = re.compile(r"<[^>]*>")
_SOURCE_LINE = re.compile(r"^([^:\n]{1,80}?)\s*:\s+(\S.*)$", re.DOTALL)
_UPDATE = re.compile(r"^update(?:\s*#?\s*\d+)?\s*:\s*", re.IGNORECASE)
_COMMENTARY = re.compile(r"^([^:\n]{0,60}?\beditor)\s*:\s*", re.IGNORECASE)
_READ_MORE = re.compile(r"^read\s+more\b[\s.…:>»]*$", re.IGNORECASE)
_LINKED_OUTLET_AT_END = re.compile(r"\s*\(\s*<a\b[^>]*>.*?</a\s*>\s*\)\s*(\.?)\s*$", re.I | re.S)
_TRAILING_OUTLET = re.compile(r"\(\s*([^()]{1,80}?)\s*\)\s*\.?\s*$")
# Labels of a line that look like "Outlet: text" but are never an outlet.
_NOT_OUTLETS = re.compile(
    r"^(update|hat\s*tip|h/t|read\s+more|editor'?s?\s+note|note|source|via|photo|video|"
    r"related|previous\s+post)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "quote" or "text"
    html: str  # the block's inner HTML

    @property
    def text(self) -> str:
        return " ".join(html.unescape(_ANY_TAG.sub(" ", self.html)).split())


@dataclass(frozen=True, slots=True)
class Recovered:
    parts: tuple[PartDraft, ...]
    structured: bool


def recover(body: str, *, updated_at: datetime | None) -> Recovered:
    """The parts of `body`: structured when it is in the seed's shape, else one raw-HTML part."""
    blocks = split_blocks(body)
    parts = _parts(blocks, updated_at)
    if parts is None:
        return Recovered(parts=(RawHtmlDraft(body),) if body.strip() else (), structured=False)
    return Recovered(parts=tuple(parts), structured=True)


def split_blocks(body: str) -> list[Block]:
    """Top-level blocks: each paragraph, quote or division, and the runs of loose text and
    inline markup between them split at double line breaks (Blogger's paragraphs). A body that
    is one division (Blogger wraps posts in one) is opened up."""
    blocks = _top_level(body)
    while len(blocks) == 1 and blocks[0][0] == "div":
        blocks = _top_level(blocks[0][1])
    out: list[Block] = []
    for tag, inner in blocks:
        if tag == "blockquote":
            out.append(Block("quote", inner.strip()))
        elif tag in ("", "div", "p"):
            for piece in _DOUBLE_BREAK.split(inner) if tag != "p" else [inner]:
                piece = _trim_breaks(piece)
                if Block("text", piece).text:
                    out.append(Block("text", piece))
        else:
            out.append(Block("other", f"<{tag}>{inner}</{tag}>"))
    return out


def _top_level(body: str) -> list[tuple[str, str]]:
    """(tag, inner HTML) for each top-level block element, ("", html) for what lies between."""
    found: list[tuple[str, str]] = []
    depth, open_tag, start, loose_start = 0, "", 0, 0
    for match in _TAG.finditer(body):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name not in _BLOCKS or self_closing or name in _VOID:
            continue
        if not closing:
            if depth == 0:
                loose = body[loose_start : match.start()]
                if loose.strip():
                    found.append(("", loose))
                open_tag, start = name, match.end()
            if name == open_tag or depth == 0:
                depth += 1
        elif name == open_tag and depth > 0:
            depth -= 1
            if depth == 0:
                found.append((open_tag, body[start : match.start()]))
                loose_start = match.end()
    rest = body[loose_start:] if depth == 0 else body[start:]
    if rest.strip():
        found.append(("" if depth == 0 else open_tag, rest))
    return found


def _trim_breaks(piece: str) -> str:
    return re.sub(r"^(?:\s|<br\s*/?>)+|(?:\s|<br\s*/?>)+$", "", piece, flags=re.IGNORECASE)


def _links(markup: str) -> list[tuple[str, str]]:
    found = []
    for match in _LINK.finditer(markup):
        url = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        found.append(
            (url.strip(), " ".join(html.unescape(_ANY_TAG.sub("", match.group(3))).split()))
        )
    return found


def _web_link(markup: str) -> str:
    return next(
        (url for url, _text in _links(markup) if url.startswith(("http://", "https://"))), ""
    )


def _source_line(block: Block) -> CitationDraft | None:
    if block.kind != "text":
        return None
    match = _SOURCE_LINE.match(block.text)
    if match is None:
        return None
    outlet, headline = match.group(1).strip(), match.group(2).strip()
    if _NOT_OUTLETS.match(outlet) or _COMMENTARY.match(block.text) or len(headline) < 3:
        return None
    url = _web_link(block.html)
    if not url:
        return None
    return CitationDraft(outlet_name=outlet, source_headline=headline, url=url)


def _after_label(markup: str) -> str:
    """`markup` without its leading label ("Update #2:", "WNU Editor:"), tags kept: the label
    ends at the first colon of the text."""
    for match in re.finditer(r"<[^>]*>|[^<]+", markup):
        piece = match.group(0)
        if piece.startswith("<") or ":" not in piece:
            continue
        rest = markup[match.start() + piece.index(":") + 1 :]
        return _drop_empty_tags(rest.lstrip()).strip()
    return markup


def _drop_empty_tags(markup: str) -> str:
    # "<b>Update:</b> text" leaves "</b> text": drop closing tags before any text.
    return re.sub(r"^(?:\s*</[a-zA-Z0-9]+\s*>)+", "", markup)


def _update(block: Block, at: datetime | None) -> UpdateDraft | None:
    if block.kind != "text" or not _UPDATE.match(block.text):
        return None
    body = _after_label(block.html)
    citation = None
    outlet = _TRAILING_OUTLET.search(block.text)
    if outlet is not None:
        for url, text in _links(block.html):
            if url.startswith(("http://", "https://")) and text and text in outlet.group(1):
                citation = CitationDraft(outlet_name=outlet.group(1), source_headline="", url=url)
                # The page writes the source after the update: not twice.
                body = _LINKED_OUTLET_AT_END.sub(r"\1", body).strip()
                break
    return UpdateDraft(text=body, at=at, citation=citation)


def _parts(blocks: list[Block], at: datetime | None) -> list[PartDraft] | None:
    parts: list[PartDraft] = []
    citation: CitationDraft | None = None
    quotes: list[str] = []
    commentary: tuple[str, list[str]] | None = None
    cited = False
    pending_line = ""

    def close_citation() -> None:
        nonlocal citation, quotes
        if citation is not None:
            excerpt = "".join(
                f"<p>{q}</p>" if not q.lstrip().startswith("<") else q for q in quotes
            )
            parts.append(
                CitationDraft(
                    outlet_name=citation.outlet_name,
                    source_headline=citation.source_headline,
                    url=citation.url,
                    quoted_excerpt=excerpt,
                )
            )
        citation, quotes = None, []

    def close_commentary() -> None:
        nonlocal commentary
        if commentary is not None:
            speaker, paragraphs = commentary
            text = "".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
            if text:
                parts.append(CommentaryDraft(text=text, speaker=speaker))
        commentary = None

    for block in blocks:
        if block.kind == "quote" and citation is not None:
            quotes.append(block.html)
            continue
        if block.kind == "text" and _READ_MORE.match(block.text) and (citation or cited):
            cited = cited or citation is not None
            close_citation()
            continue
        if citation is not None and not quotes:
            # A source line neither quoted nor followed by "Read more" is a sentence that
            # happens to hold a colon and a link: prose.
            parts.append(ProseDraft(f"<p>{pending_line}</p>"))
            citation = None
        elif citation is not None:
            cited = True
        source = _source_line(block)
        if source is not None:
            close_citation()
            close_commentary()
            citation, pending_line = source, block.html
            continue
        update = _update(block, at)
        if update is not None:
            close_citation()
            close_commentary()
            parts.append(update)
            continue
        speaker = _COMMENTARY.match(block.text) if block.kind == "text" else None
        if speaker is not None:
            close_citation()
            close_commentary()
            commentary = (speaker.group(1).strip(), [_after_label(block.html)])
            continue
        close_citation()
        if commentary is not None and block.kind == "text":
            commentary[1].append(block.html)
            continue
        close_commentary()
        if block.kind == "quote":
            parts.append(ProseDraft(f"<blockquote>{block.html}</blockquote>"))
        elif block.kind == "text":
            parts.append(ProseDraft(f"<p>{block.html}</p>"))
        else:
            parts.append(ProseDraft(block.html))
    if citation is not None and not quotes:
        parts.append(ProseDraft(f"<p>{pending_line}</p>"))
        citation = None
    cited = cited or citation is not None
    close_citation()
    close_commentary()
    return parts if cited else None
