"""Dateline's own rendered bodies (what `dateline export` writes) read back into the parts they
were rendered from, so export then import gives the same post. Any other body: None.

The markup is the public page's: `figure.citation`, `div.commentary`, `div.update`,
`div.prose`, and the `p.dateline-place` line, all inside one `div.post-body`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser

from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    PartDraft,
    ProseDraft,
    UpdateDraft,
)

_VOID = frozenset(
    {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


@dataclass
class _Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    children: list[_Element | str] = field(default_factory=list)

    def attr(self, name: str) -> str:
        return next((value or "" for key, value in self.attrs if key == name), "")

    @property
    def classes(self) -> set[str]:
        return set(self.attr("class").split())

    def elements(self) -> list[_Element]:
        return [child for child in self.children if isinstance(child, _Element)]

    def first(self, tag: str, cls: str = "") -> _Element | None:
        for child in self.elements():
            if child.tag == tag and (not cls or cls in child.classes):
                return child
            found = child.first(tag, cls)
            if found is not None:
                return found
        return None

    def inner(self) -> str:
        return "".join(_html(child) for child in self.children)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


def _html(node: _Element | str) -> str:
    if isinstance(node, str):
        return html.escape(node, quote=False)
    attrs = "".join(
        f' {key}="{html.escape(value, quote=True)}"' if value is not None else f" {key}"
        for key, value in node.attrs
    )
    if node.tag in _VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{node.inner()}</{node.tag}>"


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Element(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass(frozen=True, slots=True)
class ReadBack:
    dateline_place: str
    parts: tuple[PartDraft, ...]


def is_dateline_markup(body: str) -> bool:
    """Whether `body` is a body Dateline rendered (it starts with the page's post-body)."""
    return body.lstrip().startswith('<div class="post-body">')


def read_back(body: str) -> ReadBack | None:
    """The place and parts of a body Dateline rendered, or None for any other body."""
    if not is_dateline_markup(body):
        return None
    builder = _Builder()
    builder.feed(body)
    builder.close()
    container = builder.root.first("div", "post-body")
    if container is None:
        return None
    place, parts = "", list[PartDraft]()
    for element in container.elements():
        classes = element.classes
        if element.tag == "p" and "dateline-place" in classes:
            span = element.first("span", "place")
            place = span.text().strip() if span is not None else ""
        elif element.tag == "figure" and "citation" in classes:
            parts.append(_citation(element))
        elif element.tag == "div" and "commentary" in classes:
            speaker = element.first("p", "speaker")
            body_nodes = [child for child in element.children if child is not speaker]
            name = speaker.text().strip().removesuffix(":") if speaker is not None else ""
            parts.append(CommentaryDraft(text=_joined(body_nodes), speaker=name))
        elif element.tag == "div" and "update" in classes:
            parts.append(_update(element))
        elif element.tag == "div" and "prose" in classes:
            parts.append(ProseDraft(element.inner().strip()))
        else:
            return None
    return ReadBack(dateline_place=place, parts=tuple(parts))


def _joined(nodes: list[_Element | str]) -> str:
    return "".join(_html(node) for node in nodes).strip()


def _citation(figure: _Element) -> CitationDraft:
    outlet = figure.first("span", "outlet")
    cite = figure.first("cite")
    outlet_name = outlet.text().strip() if outlet is not None else ""
    full = cite.text().strip() if cite is not None else ""
    headline = full[len(outlet_name) :].removeprefix(":").strip()
    quote = figure.first("blockquote")
    link = figure.first("a")
    return CitationDraft(
        outlet_name=outlet_name,
        source_headline=headline,
        url=link.attr("href") if link is not None else "",
        quoted_excerpt=quote.inner().strip() if quote is not None else "",
    )


def _update(element: _Element) -> UpdateDraft:
    meta = element.first("p", "update-meta")
    source = element.first("p", "update-source")
    time = meta.first("time") if meta is not None else None
    at = _time(time.attr("datetime")) if time is not None else None
    body = [child for child in element.children if child is not meta and child is not source]
    citation = None
    if source is not None:
        link = source.first("a")
        if link is not None:
            headline = source.text().strip().removeprefix("(").removesuffix(")")
            outlet = link.text().strip()
            citation = CitationDraft(
                outlet_name=outlet,
                source_headline=headline[len(outlet) :].removeprefix(":").strip(),
                url=link.attr("href"),
            )
    return UpdateDraft(text=_joined(body), at=at, citation=citation)


def _time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
