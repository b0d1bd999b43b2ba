"""The one HTML sanitiser: named policies over nh3 (the only module that imports nh3).

Every piece of HTML that came from outside (feed content, an editor's post body, a reader's
comment) passes through ``sanitize_html`` with the policy for its place before it is stored or
shown. A policy is an allow-list: tags, attributes and URL schemes not named are dropped, so no
script, event handler (``on*``), ``javascript:`` / ``data:`` URL or CSS expression survives.
``<script>``, ``<style>`` and similar elements lose their content too, not just their tags.

Relative URLs in ``href`` / ``src`` are resolved against ``base_url`` when one is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import nh3

# Elements whose text is code or invisible, dropped whole rather than unwrapped.
_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "noscript", "template", "object", "embed", "applet", "frame",
     "frameset", "iframe", "xmp", "plaintext", "noembed", "noframes", "title", "head",
     "math", "svg"}
)  # fmt: skip

_FEED_TAGS = frozenset(
    {"a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "bdi", "bdo",
     "big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "data",
     "dd", "del", "details", "dfn", "dir", "div", "dl", "dt", "em", "figcaption", "figure",
     "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img",
     "ins", "kbd", "label", "li", "map", "mark", "menu", "nav", "ol", "p", "picture", "pre",
     "q", "rp", "rt", "rtc", "ruby", "s", "samp", "section", "small", "source", "span", "strike",
     "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
     "tr", "track", "tt", "u", "ul", "var", "video", "wbr"}
)  # fmt: skip

# Harmless presentational and descriptive attributes (no URLs, no script, no style).
_GENERIC_ATTRIBUTES = frozenset(
    {"abbr", "accept", "accept-charset", "accesskey", "align", "alt", "axis", "bgcolor",
     "border", "cellpadding", "cellspacing", "char", "charoff", "charset", "checked", "clear",
     "color", "cols", "colspan", "compact", "coords", "datetime", "dir", "disabled", "enctype",
     "face", "for", "frame", "headers", "height", "hreflang", "hspace", "ismap", "label", "lang",
     "maxlength", "method", "multiple", "name", "nohref", "noshade", "nowrap", "open",
     "readonly", "rel", "rev", "rows", "rowspan", "rules", "scope", "selected", "shape", "size",
     "span", "start", "summary", "tabindex", "title", "type", "valign", "value", "vspace",
     "width", "xml:lang"}
)  # fmt: skip

_URL_ATTRIBUTES = {
    "a": {"href"},
    "area": {"href"},
    "img": {"src", "longdesc"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite"},
    "ins": {"cite"},
    "audio": {"src", "controls"},
    "video": {"src", "poster", "controls"},
    "source": {"src", "srcset", "media"},
    "track": {"src", "kind", "srclang"},
}

_MAX_CACHED_CLEANERS = 64

_WEB_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel", "news", "magnet", "xmpp"})


@dataclass(frozen=True)
class Policy:
    """A named allow-list. Build one cleaner per policy, once, at import."""

    name: str
    tags: frozenset[str]
    attributes: dict[str, set[str]]
    link_rel: str | None = None
    # Extra attribute values allowed on specific tags (embeds): tag -> attribute -> values.
    attribute_values: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    # Hosts an <iframe src> may point at; empty means iframes are never kept.
    iframe_hosts: frozenset[str] = frozenset()
    # One nh3 cleaner per base URL in use (relative URLs are resolved inside nh3, at Rust speed);
    # feeds share a handful of bases, so a small cache holds them all.
    _cleaners: dict[str | None, nh3.Cleaner] = field(
        default_factory=dict, repr=False, compare=False
    )

    def cleaner(self, base_url: str | None = None) -> nh3.Cleaner:
        cleaner = self._cleaners.get(base_url)
        if cleaner is None:
            if len(self._cleaners) >= _MAX_CACHED_CLEANERS:
                self._cleaners.clear()
            cleaner = self._build_cleaner(base_url)
            self._cleaners[base_url] = cleaner
        return cleaner

    def _build_cleaner(self, base_url: str | None) -> nh3.Cleaner:
        options: dict[str, Any] = {
            "tags": set(self.tags),
            "clean_content_tags": set(_DROPPED_WITH_CONTENT - self.tags),
            "attributes": {tag: set(names) for tag, names in self.attributes.items()},
            "attribute_filter": self._filter_attribute if self.iframe_hosts else None,
            "link_rel": self.link_rel,
            "tag_attribute_values": self.attribute_values or None,
            "url_schemes": set(_WEB_SCHEMES),
            "strip_comments": True,
        }
        if base_url and base_url.lower().startswith(("http://", "https://")):
            try:
                return nh3.Cleaner(**options, url_relative=("rewrite_with_base", base_url))
            except (ValueError, TypeError):
                pass  # a base nh3 cannot parse: relative URLs stay relative
        return nh3.Cleaner(**options)

    def _filter_attribute(self, tag: str, attribute: str, value: str) -> str | None:
        if tag == "iframe" and attribute == "src":
            host = (urlsplit(value).hostname or "").lower()
            return value if host in self.iframe_hosts else None
        return value


def _with_generic(extra: dict[str, set[str]], generic: frozenset[str]) -> dict[str, set[str]]:
    attributes = {tag: set(names) for tag, names in extra.items()}
    attributes["*"] = set(generic)
    return attributes


FEED_CONTENT = Policy(
    name="feed content",
    tags=_FEED_TAGS,
    attributes=_with_generic(_URL_ATTRIBUTES, _GENERIC_ATTRIBUTES),
)

POST_BODY = Policy(
    name="post body",
    tags=_FEED_TAGS | {"iframe"},
    attributes=_with_generic(
        {
            **_URL_ATTRIBUTES,
            "iframe": {"src", "width", "height", "allowfullscreen", "frameborder", "title"},
        },
        _GENERIC_ATTRIBUTES,
    ),
    attribute_values={
        # X/Twitter and Instagram embeds are blockquotes their script upgrades; keep the class.
        "blockquote": {"class": {"twitter-tweet", "instagram-media"}},
    },
    iframe_hosts=frozenset(
        {"www.youtube.com", "youtube.com", "www.youtube-nocookie.com", "player.vimeo.com"}
    ),
)

COMMENT = Policy(
    name="comment",
    tags=frozenset({"a", "b", "strong", "i", "em", "code", "pre", "blockquote", "p", "br", "q"}),
    attributes={"a": {"href"}},
    link_rel="nofollow ugc noopener",
)


# Void elements are written XHTML-style (<br />), which HTML and XML readers both accept, so the
# same sanitised fragment serves pages and the XHTML content of feeds Dateline publishes.
# (nh3 writes tag names in lower case and escapes ">" inside attribute values.)
_VOID_ELEMENT = re.compile(r"<(?:br|img|hr|wbr|source|track|col|area)(?: [^>]*)?(?=>)")  # to ">"

# An <iframe> whose src the policy refused (not an allow-listed player) would stay behind as an
# empty box: it goes whole. nh3 writes attributes double-quoted, so the src test is exact.
_IFRAME_WITHOUT_SOURCE = re.compile(r'<iframe\b(?![^>]*\ssrc=")[^>]*>.*?</iframe>', re.DOTALL)

_BARE_AMPERSAND = re.compile(r"&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def sanitize_html(html: str, policy: Policy, *, base_url: str | None = None) -> str:
    """Returns ``html`` with everything ``policy`` does not allow removed.

    The result is a fragment safe to put in a page as is. Relative links and image sources are
    made absolute against ``base_url`` when given.
    """
    if not html:
        return ""
    if "<" not in html:
        # Without a tag there is no element, attribute or URL to remove: text and character
        # references are already safe HTML, and are kept as written (bare & and > escaped).
        if "&" in html:
            html = _BARE_AMPERSAND.sub("&amp;", html)
            if "&#" in html:
                html = _TEXT_REFERENCE.sub(_canonical_reference, html)
        return html.replace(">", "&gt;") if ">" in html else html
    html = _flatten_deep_nesting(html)
    marked = _keep_references(html) if "&#" in html else None
    cleaned = None
    if marked is not None:
        cleaned = _restore_references(policy.cleaner(base_url).clean(marked))
    if cleaned is None:  # nothing to keep, or a reference was not where it seemed
        cleaned = policy.cleaner(base_url).clean(html)
    if policy.iframe_hosts and "<iframe" in cleaned:
        cleaned = _IFRAME_WITHOUT_SOURCE.sub("", cleaned)
    if "<" in cleaned:
        cleaned = _VOID_ELEMENT.sub(_self_closed, cleaned)
    return cleaned


def _self_closed(void_tag: re.Match[str]) -> str:
    # A function, not the template r"<\1\2 />": `sub` expands a template per match in Python,
    # which cost four times as much (a quarter of a second on 1 MB of <br>s).
    return void_tag.group(0) + " /"


# Elements the HTML tree builder keeps open until their end tag: left unclosed, they nest. Each
# of many start and end tags makes it scan the stack of open elements (to close a <p>, say), so
# N of them nested cost N²: 16,000 nested <div>s (80 KB) took nh3 2 s, "<b>x</p>" 32,000 times
# (200 KB) 6 s, and a feed entry or imported post of a few MB of them, hours. No real document
# nests this deep, so start tags past MAX_NESTING (and as many end tags of the same name) are
# dropped before nh3 parses; the text between them stays. Not counted: void elements, and those
# a sibling closes (<p>, <li>, <td>, <a>...), which never pile up, so long unclosed lists and
# paragraphs of old HTML keep every tag. The split is by a quick regex, as below: if it misreads
# a tag, nh3 still cleans whatever comes of it.
MAX_NESTING = 256
# However they nest, this many tags cost nh3 under 20 ms: such fragments (nearly all) are not
# scanned, which keeps the check off the cost of ordinary articles.
_TAGS_NESTING_CANNOT_HURT = 2048
_NEVER_NESTED = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
     "param", "source", "track", "wbr", "image",
     "p", "li", "dd", "dt", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
     "rb", "rt", "rtc", "rp", "colgroup", "caption", "html", "head", "body", "a", "button",
     "nobr", "form", "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip
_ANY_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*>")


def _reaches_max_nesting(html: str) -> bool:
    """Whether ``_flatten_deep_nesting`` would drop a tag: its count of open elements, without
    building a match object per tag (long articles hold thousands; nearly none nest deep)."""
    opened: dict[str, int] = {}
    depth = 0
    for closing, name in _ANY_TAG.findall(html):
        if name in _NEVER_NESTED:
            continue
        name = name.lower()
        if name in _NEVER_NESTED:
            continue
        if closing:
            if opened.get(name):
                opened[name] -= 1
                depth -= 1
        elif depth >= MAX_NESTING:
            return True
        else:
            opened[name] = opened.get(name, 0) + 1
            depth += 1
    return False


def _flatten_deep_nesting(html: str) -> str:
    """``html`` with elements past ``MAX_NESTING`` deep unwrapped."""
    if html.count("<") <= _TAGS_NESTING_CANNOT_HURT or not _reaches_max_nesting(html):
        return html
    # Open and dropped start tags by name: an end tag closes one only if one is open, as in the
    # parser, so stray end tags ("<b></i>" repeated) cannot hide how deep the b's pile up.
    opened: dict[str, int] = {}
    dropped: dict[str, int] = {}
    depth = 0
    kept: list[str] = []
    kept_from = 0
    for tag in _ANY_TAG.finditer(html):
        name = tag.group(2).lower()
        if name in _NEVER_NESTED:
            continue
        if tag.group(1):
            if not dropped.get(name):
                if opened.get(name):
                    opened[name] -= 1
                    depth -= 1
                continue
            dropped[name] -= 1
        elif depth < MAX_NESTING:
            opened[name] = opened.get(name, 0) + 1
            depth += 1
            continue
        else:
            dropped[name] = dropped.get(name, 0) + 1
        kept.append(html[kept_from : tag.start()])
        kept_from = tag.end()
    if not kept:
        return html
    kept.append(html[kept_from:])
    return "".join(kept)


# A character reference to "&", "<" or ">" in text is kept as the publisher wrote it
# (``&#38;`` stays ``&#38;``): those characters must stay escaped, and sanitising should not
# rewrite the escape's form (nh3 writes ``&amp;``). Other references become the characters they
# stand for, as nh3 writes them. nh3 decodes references while parsing, so each kept one in text
# (between tags, by a quick split) has its "&#" swapped for a marker nh3 passes verbatim, and
# swapped back afterwards. nh3 escapes "<" and ">" everywhere but in tags, so a marker that
# comes out inside a tag is seen (the quick split misjudged, e.g. a ">" inside an attribute
# value): then the whole fragment is cleaned again without markers. A restored marker is in
# text, where the reference means just the escaped character, so nothing unsafe can come of it.
# Fragments without such a reference (nearly all) cost one regex search.
_MARKER = "dtlref"  # stands for the "&#" of a kept reference; its digits and ";" stay as written
_TEXT_REFERENCE = re.compile(r"&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});")
_MARKUP_REFERENCE = re.compile(r"&#(?=(?:0*(?:38|60|62)|[xX]0*(?:26|3[cCeE]));)")
_TAG_SPLIT = re.compile(r"(<[^<>]*>)")
_MARKER_IN_TAG = re.compile(r"<[^<>]*" + _MARKER)


def _keep_references(html: str) -> str | None:
    """``html`` with the references it keeps marked; None when there are none to keep."""
    if _MARKUP_REFERENCE.search(html) is None or _MARKER in html:
        return None
    parts = _TAG_SPLIT.split(html)  # text at even places, tags at odd ones
    found = False
    for index in range(0, len(parts), 2):
        text = parts[index]
        if "&#" in text:
            marked = _MARKUP_REFERENCE.sub(_MARKER, text)
            if marked != text:
                parts[index] = marked.replace(_MARKER + "X", _MARKER + "x")
                found = True
    return "".join(parts) if found else None


def _restore_references(cleaned: str) -> str | None:
    """Markers back to references; None if one sits inside a tag."""
    if _MARKER_IN_TAG.search(cleaned):
        return None
    return cleaned.replace(_MARKER, "&#")


def _canonical_reference(match: re.Match[str]) -> str:
    """``&#X61;`` as ``&#x61;``; a reference to a C1 control (``&#146;``) as the Windows-1252
    character it always meant (``&#x2019;``), as HTML itself reads it."""
    reference = match.group(0)
    if reference[2] in "xX":
        number = int(reference[3:-1], 16)
        reference = "&#x" + reference[3:]
    else:
        number = int(reference[2:-1])
    if 0x80 <= number <= 0x9F:
        character = bytes([number]).decode("windows-1252", "ignore")
        if character:
            return f"&#x{ord(character):x};"
    return reference
