"""The one HTML sanitiser: named policies over nh3 (the only module that imports nh3).

Every piece of HTML that came from outside (feed content, an editor's post body, a reader's
comment) passes through ``sanitize_html`` with the policy for its place before it is stored or
shown. A policy is an allow-list: tags, attributes and URL schemes not named are dropped, so no
script, event handler (``on*``), ``javascript:`` / ``data:`` URL or CSS expression survives.
``<script>``, ``<style>`` and similar elements lose their content too, not just their tags.

Relative URLs in ``href`` / ``src`` are resolved against ``base_url`` when one is given.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

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

_WEB_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "tel", "news", "magnet", "xmpp"})

# The base URL for the sanitisation in progress: one nh3 cleaner per policy serves every base.
_current_base: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dateline_sanitize_base", default=None
)


def _resolve_relative(url: str) -> str | None:
    base = _current_base.get()
    if not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        # A URL the standard library cannot split (bad IPv6 brackets...) is dropped, not kept.
        return None


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
    _cleaner: nh3.Cleaner | None = field(default=None, repr=False, compare=False)

    def cleaner(self) -> nh3.Cleaner:
        cleaner = self._cleaner
        if cleaner is None:
            cleaner = nh3.Cleaner(
                tags=set(self.tags),
                clean_content_tags=set(_DROPPED_WITH_CONTENT - self.tags),
                attributes={tag: set(names) for tag, names in self.attributes.items()},
                attribute_filter=self._filter_attribute if self.iframe_hosts else None,
                link_rel=self.link_rel,
                tag_attribute_values=self.attribute_values or None,
                url_schemes=set(_WEB_SCHEMES),
                url_relative=_resolve_relative,
                strip_comments=True,
            )
            object.__setattr__(self, "_cleaner", cleaner)
        return cleaner

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


def sanitize_html(html: str, policy: Policy, *, base_url: str | None = None) -> str:
    """Returns ``html`` with everything ``policy`` does not allow removed.

    The result is a fragment safe to put in a page as is. Relative links and image sources are
    made absolute against ``base_url`` when given.
    """
    if not html:
        return ""
    token = _current_base.set(base_url)
    try:
        return policy.cleaner().clean(html)
    finally:
        _current_base.reset(token)
