"""Namespaces to the fixed prefixes the readers use, whatever prefix a document chose.

An element is known by its dispatch key: ``"title"``, ``"dc:creator"``, ``"media:content"``.
The document's own vocabulary (RSS, RSS 1.0's namespace, Atom after the readers drop ``atom:``)
has no prefix; names are lower-cased, as old feeds vary their case (pubdate, PubDate).
"""

from __future__ import annotations

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XHTML = "http://www.w3.org/1999/xhtml"
XHTML_DIV = "{" + XHTML + "}div"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_ABOUT = "{" + RDF + "}about"
RDF_RESOURCE = "{" + RDF + "}resource"
ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "my.netscape.com/rdf/simple/0.9"
RSS11 = "http://purl.org/net/rss1.1#"

# Namespace URI -> the prefix of its dispatch keys. "" is the document's own vocabulary.
PREFIXES = {
    "": "",
    "http://backend.userland.com/rss2": "",
    "http://blogs.law.harvard.edu/tech/rss": "",
    RSS10: "",
    "http://my.netscape.com/rdf/simple/0.9/": "",
    RSS11: "",
    ATOM10: "atom",
    ATOM03: "atom",
    "http://purl.org/atom/ns#draft-ietf-atompub-format-07": "atom",
    RDF: "rdf",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/elements/1.0/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://www.itunes.com/dtds/podcast-1.0.dtd/": "itunes",
    "http://example.com/DTDs/PodCast-1.0.dtd": "itunes",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://tools.search.yahoo.com/mrss/": "media",
    "http://purl.org/rss/1.0/modules/slash/": "slash",
    "http://purl.org/syndication/thread/1.0": "thr",
    "http://www.georss.org/georss": "georss",
    "http://www.georss.org/georss/10": "georss",
    "http://www.opengis.net/gml": "gml",
    "http://www.w3.org/2003/01/geo/wgs84_pos#": "geo",
    "http://wellformedweb.org/CommentAPI/": "wfw",
    "http://podlove.org/simple-chapters": "psc",
    "http://web.resource.org/cc/": "cc",
    "http://creativecommons.org/ns#": "cc",
    "http://backend.userland.com/creativeCommonsRssModule": "creativecommons",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://purl.org/rss/1.0/modules/textinput/": "ti",
    "http://purl.org/rss/1.0/modules/image/": "image",
    "http://purl.org/rss/1.0/modules/admin/": "admin",
    "http://webns.net/mvcb/": "admin",
    "http://purl.org/rss/1.0/modules/aggregation/": "ag",
    "http://rssnamespace.org/feedburner/ext/1.0": "feedburner",
    XHTML: "xhtml",
    "http://www.w3.org/XML/1998/namespace": "xml",
    "http://www.google.com/schemas/play-podcasts/1.0": "googleplay",
    "https://podcastindex.org/namespace/1.0": "podcast",
}
# Feeds misspell namespace URIs in case and trailing slash: those are matched loosely.
_LOOSE_PREFIXES = {uri.lower().rstrip("/"): prefix for uri, prefix in PREFIXES.items()}
# Prefixes read without a declaration (only a recovered parse lets an undeclared one through):
# the names feeds conventionally give those namespaces ("dc:", "rss:").
_CONVENTIONAL_PREFIXES = {prefix: prefix for prefix in PREFIXES.values() if prefix} | {
    "rss": "",
    "rdf": "rdf",
}


def dispatch_key(tag: str) -> str:
    """'{http://purl.org/dc/elements/1.1/}creator' -> 'dc:creator'; 'Title' -> 'title'.

    A namespace outside the table keeps its URI, behind a "?": '?http://example.com/ns:x'.
    """
    if tag[:1] == "{":
        uri, _, local = tag[1:].partition("}")
        prefix = PREFIXES.get(uri)
        if prefix is None:
            prefix = _LOOSE_PREFIXES.get(uri.lower().rstrip("/"), "?" + uri)
    elif ":" in tag:
        written, _, local = tag.partition(":")
        prefix = _CONVENTIONAL_PREFIXES.get(written.lower(), "?" + written)
    else:
        prefix, local = "", tag
    return f"{prefix}:{local.lower()}" if prefix else local.lower()


def local_name(tag: str) -> str:
    """An element's name without its namespace, lower-cased."""
    if tag[:1] != "{" and ":" in tag:  # an undeclared prefix in a recovered parse
        return tag.rpartition(":")[2].lower()
    return tag.rpartition("}")[2].lower()


def namespace_of(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag[:1] == "{" else ""
