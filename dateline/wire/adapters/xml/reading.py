"""What every reader is given: the document's ``Context`` and an element's ``Children``.

A reader is a pure function of an element's children (grouped once by dispatch key) and the
context; it returns typed fields. Nothing is collected into a shared object as it goes: the
precedence between elements that say the same thing (``title`` over ``dc:title``) is written
where the field is read, with ``Children.pick``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from dateline.wire.adapters.xml.namespaces import dispatch_key, local_name


@dataclass(slots=True)
class Context:
    """What readers need to know about the document being read. One per document."""

    format: str
    # Where relative URLs resolve when no xml:base says otherwise. The RSS and CDF readers go on
    # with a copy (dataclasses.replace) whose fallback is the feed's own link or CDF base.
    fallback_base: str | None
    language: str | None = None
    # Text is repaired (C1 controls, see domain/text.repair_text) only where it may need it.
    repair_c1: bool = True
    own_namespace: str = ""
    # Entries' summary and content HTML kept as the feed wrote it (see feeds.parse_feed).
    raw_entry_html: bool = False
    # When the document says xml:base nowhere and lxml was given no base or a web one, every
    # element's base is that one (``document_base``, else the fallback): no walk up the tree.
    uniform_base: bool = False
    document_base: str | None = None
    # What the reading found to warn about (a URL dropped for its scheme), after what the
    # tree's parse said (``tree.parse_tree``); each said once, however many elements repeat it.
    warnings: list[str] = field(default_factory=list)
    # Tag -> dispatch key: a document repeats few tags. Lives as long as the document's parse.
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def is_atom(self) -> bool:
        return self.format.startswith("atom")

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


class Children:
    """An element's child elements by dispatch key, in one pass over them.

    Atom's own prefix is dropped ("atom:title" is "title", in RSS too), and an element in the
    root's own namespace that the table does not know goes by its local name.
    """

    __slots__ = ("by_key", "ordered", "vocabularies")

    def __init__(self, element: etree._Element, context: Context) -> None:
        by_key: dict[str, list[etree._Element]] = {}
        ordered: list[tuple[str, etree._Element]] = []
        keys = context.keys
        for child in element.iterchildren(etree.Element):  # not comments or PIs
            tag = child.tag
            key = keys.get(tag)
            if key is None:
                key = _normalised_key(tag, context.own_namespace)
                keys[tag] = key
            same = by_key.get(key)
            if same is None:
                by_key[key] = [child]
            else:
                same.append(child)
            ordered.append((key, child))
        self.by_key = by_key
        self.ordered = ordered
        # The prefixes present ("itunes", "media"...): most elements use none of the extensions.
        self.vocabularies = {key.partition(":")[0] for key in by_key if ":" in key}

    def all(self, key: str) -> list[etree._Element]:
        return self.by_key.get(key, [])

    def first(self, key: str) -> etree._Element | None:
        same = self.by_key.get(key)
        return same[0] if same else None

    def last(self, key: str) -> etree._Element | None:
        same = self.by_key.get(key)
        return same[-1] if same else None

    def pick(
        self, overwrite: tuple[str, ...], fallback: tuple[str, ...] = ()
    ) -> tuple[str, etree._Element] | None:
        """The last of the ``overwrite`` elements, else the first of the ``fallback`` ones.

        That is how feeds are read: a format's own element wins over an alias from another
        vocabulary (``title`` over ``dc:title``) wherever each stands, and of several, the
        last own one or the first alias.
        """
        by_key = self.by_key
        found = None
        for key in overwrite:
            if key in by_key:
                if found is not None:  # two kinds: the later in the document
                    latest: tuple[str, etree._Element] = next(
                        pair for pair in reversed(self.ordered) if pair[0] in overwrite
                    )
                    return latest
                found = key
        if found is not None:
            return found, by_key[found][-1]
        for key in fallback:
            if key in by_key:
                if found is not None:  # two kinds: the earlier in the document
                    earliest: tuple[str, etree._Element] = next(
                        pair for pair in self.ordered if pair[0] in fallback
                    )
                    return earliest
                found = key
        return (found, by_key[found][0]) if found is not None else None

    def in_order(self, keys: frozenset[str]) -> list[tuple[str, etree._Element]]:
        """The children with any of ``keys``, in document order."""
        if self.by_key.keys().isdisjoint(keys):
            return []
        return [pair for pair in self.ordered if pair[0] in keys]

    def of_vocabulary(self, prefix: str) -> list[tuple[str, etree._Element]]:
        """The children of one vocabulary ("itunes"), in document order."""
        if prefix not in self.vocabularies:
            return []
        start = prefix + ":"
        return [(key, element) for key, element in self.ordered if key.startswith(start)]


def _normalised_key(tag: str, own_namespace: str) -> str:
    key = dispatch_key(tag)
    if key.startswith("atom:"):
        return key[5:]
    if key[0] == "?" and tag[1:].partition("}")[0] == own_namespace:
        return local_name(tag)  # an unknown vocabulary, but the root element's own
    return key


def child_elements(element: etree._Element) -> Iterator[etree._Element]:
    """An element's children that are elements (not comments or processing instructions)."""
    children: Iterator[etree._Element] = element.iterchildren(etree.Element)
    return children
