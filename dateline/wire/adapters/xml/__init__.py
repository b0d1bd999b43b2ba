"""RSS, RDF, Atom and CDF documents into records, with lxml (the wire's only lxml importer).

The modules, from the document down (docs/decisions/0092-feed-parser-by-format.md):
``document`` (the entry points) reads the tree with ``tree`` (strict parse, entity and markup
repair, format detection), builds a per-document ``reading.Context``, and hands the root to
its format: ``rss`` (with ``rdf`` for RSS 1.0's layout), ``atom`` or ``cdf``. Those choose the
feed and entry elements; ``entries`` turns each into a record from pure readers of its
children: ``common`` (what every format has), ``dublin_core``, ``itunes`` (podcasts and
chapters), ``media``, ``geo`` and ``comments``; ``text`` reads text constructs and URLs.
Namespaces map to fixed prefixes (``namespaces``) whatever prefix the document chose.
"""

from dateline.wire.adapters.xml.document import build, build_well_formed_utf8

__all__ = ["build", "build_well_formed_utf8"]
