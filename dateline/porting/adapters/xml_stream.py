"""The one module that parses export files: lxml's iterparse, hardened, streaming.

Hardened: a DOCTYPE is refused before parsing (it is how entity expansion and external entities
get in), entities are never resolved, the network is never touched and no DTD is loaded.
Streaming: each top-level record (a feed's entry, a channel's item) is turned into a detached
`Node` and its elements are freed, so memory does not grow with the file.

Namespace slips real exports make (Blogger's legacy export uses `app:` without declaring it) are
read as written; anything that breaks XML itself stops the import with `file:line:col: message`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree

from dateline.porting.domain.records import Node
from dateline.porting.exceptions import MalformedExport, RefusedExport

# What may come before the root element: the XML declaration, processing instructions,
# comments and white space; a DOCTYPE is looked for there.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE\s+([^\s>\[]+)([^>\[]*)(\[.*?\])?\s*>", re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)")
_PROLOG_LIMIT = 1024 * 1024
# libxml2's domain for namespace errors: recovered from, not fatal.
_NAMESPACE_DOMAIN = etree.ErrorDomains.NAMESPACE


@dataclass(frozen=True, slots=True)
class Root:
    tag: str
    attrs: dict[str, str]
    nsmap: dict[str, str]


def check_prolog(path: Path) -> None:
    """Refuses a file with a DOCTYPE, naming its DTD and the entities it declares."""
    with path.open("rb") as stream:
        head = stream.read(_PROLOG_LIMIT)
    position = 0
    if head.startswith(b"\xef\xbb\xbf"):
        position = 3
    while True:
        match = _PROLOG_ITEM.match(head, position)
        if match is None or match.end() == position:
            break
        position = match.end()
    doctype = _DOCTYPE.match(head, position)
    if doctype is None and head.startswith(b"<!DOCTYPE", position):
        raise RefusedExport(f"{path}: the file declares a DOCTYPE; DTDs are refused")
    if doctype is None:
        return
    root, external, subset = doctype.group(1), doctype.group(2).strip(), doctype.group(3) or b""
    entities = [m.group(2).decode("utf-8", "replace") for m in _ENTITY.finditer(subset)]
    what = f"a DTD for <{root.decode('utf-8', 'replace')}>"
    if external:
        what += f" ({external.decode('utf-8', 'replace')})"
    if entities:
        what += f" declaring the entit{'y' if len(entities) == 1 else 'ies'} "
        what += ", ".join(entities[:5]) + (" ..." if len(entities) > 5 else "")
    raise RefusedExport(
        f"{path}: the file declares {what}; DTDs and entities are refused "
        "(they can expand without bound or read other files)"
    )


def records(source: Path | IO[bytes], *, record_depth: int) -> Iterator[Root | Node]:
    """The root element first, then each element at `record_depth` (1: the root's children,
    2: their children) as a detached Node, in document order. Elements above that depth other
    than the root are not handed back (an RSS `channel`'s own fields come as its children)."""
    name = str(source) if isinstance(source, Path) else getattr(source, "name", "<file>")
    parser = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
        recover=True,
    )
    depth = -1
    seen_errors = 0
    try:
        for event, element in parser:
            seen_errors = _check_errors(parser.error_log, seen_errors, name)
            if event == "start":
                depth += 1
                if depth == 0:
                    yield Root(tag=element.tag, attrs=dict(element.attrib), nsmap=_nsmap(element))
                continue
            if depth == record_depth:
                yield _node(element)
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    # Earlier siblings are done with: free them too.
                    while element.getprevious() is not None:
                        del parent[0]
            depth -= 1
        _check_errors(parser.error_log, seen_errors, name)
    except etree.XMLSyntaxError as error:
        raise _malformed(name, error.position, error.msg) from None


def _check_errors(log, seen: int, name: str) -> int:  # type: ignore[no-untyped-def]
    entries = list(log)
    for entry in entries[seen:]:
        if entry.domain == _NAMESPACE_DOMAIN:
            continue
        if entry.level >= etree.ErrorLevels.ERROR:
            raise _malformed(name, (entry.line, entry.column), entry.message)
    return len(entries)


def _malformed(name: str, position: tuple[int, int], message: str) -> MalformedExport:
    line, column = position
    reason = " ".join(str(message).split())
    reason = re.sub(r", line \d+, column \d+$", "", reason)
    return MalformedExport(f"{name}:{line}:{column}: {reason}")


def _nsmap(element) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {prefix or "": uri for prefix, uri in element.nsmap.items()}


def _node(element) -> Node:  # type: ignore[no-untyped-def]
    tag = element.tag if isinstance(element.tag, str) else ""
    text = "".join(
        [element.text or ""] + [child.tail or "" for child in element if child.tail is not None]
    )
    node = Node(tag=tag, text=text, attrs={str(k): str(v) for k, v in element.attrib.items()})
    node.children = [_node(child) for child in element if isinstance(child.tag, str)]
    return node
