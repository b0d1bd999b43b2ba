"""Elements every format shares (RSS, RDF, Atom, CDF): each read by a pure function.

Each function takes an element's ``Children`` and returns one typed field. Where several
elements say the same thing, the precedence is written here, once (see ``Children.pick``).
Dublin Core aliases (``dc:title``, ``dc:creator``...) are named in ``dublin_core``.
"""

from __future__ import annotations

from lxml import etree

from dateline.wire.adapters.xml import dublin_core as dc
from dateline.wire.adapters.xml.namespaces import RDF_RESOURCE, local_name
from dateline.wire.adapters.xml.reading import Children, Context, child_elements
from dateline.wire.adapters.xml.text import (
    Dated,
    attribute,
    date,
    integer,
    language_tag,
    plain,
    resolve,
    text_value,
    url_attribute,
    url_text,
    web_url,
    xhtml_body,
)
from dateline.wire.domain import url_schemes
from dateline.wire.domain.records import (
    HTML,
    PLAIN,
    Category,
    Cloud,
    Enclosure,
    Generator,
    Image,
    Link,
    Person,
    TextInput,
    TextValue,
)
from dateline.wire.domain.text import person_from_text

# ------------------------------------------------------------------------- one element each


def person(element: etree._Element, context: Context) -> Person:
    """An Atom person construct (name, email, uri), or a person written as text."""
    name = email = uri = None
    for child in child_elements(element):
        local = local_name(child.tag)
        if local == "name":
            name = plain(child) or None
        elif local == "email":
            email = plain(child) or None
        elif local in ("uri", "url", "homepage"):
            uri = url_text(child, context, url_schemes.PERSON)
    if name is None and email is None and uri is None and len(element) == 0:
        return person_from_text(plain(element))
    return Person(name=name, email=email, uri=uri)


def person_or_text(element: etree._Element, context: Context) -> Person | None:
    """A person construct if the element has child elements, else its text; None if empty."""
    if len(element) and any(isinstance(child.tag, str) for child in element):
        return person(element, context)
    text = plain(element)
    return person_from_text(text) if text else None


def link(element: etree._Element, context: Context) -> Link | None:
    """A link element (Atom's href, or RSS's text); None when it names no URL a link may have."""
    for name in ("href", "url"):
        written = element.get(name)
        if written is not None:  # href="" is the base itself (RFC 3986)
            href = web_url(written, element, context, attribute_name=name)
            break
    else:
        href = url_text(element, context)
    if href is None:
        return None
    return Link(
        href=href,
        rel=attribute(element, "rel") or "alternate",
        type=attribute(element, "type"),
        title=attribute(element, "title"),
        length=attribute(element, "length"),
        hreflang=attribute(element, "hreflang"),
    )


def category(element: etree._Element) -> Category | None:
    term = attribute(element, "term", "text") or plain(element)
    if not term:
        return None
    return Category(
        term=term,
        scheme=attribute(element, "scheme", "domain"),
        label=attribute(element, "label"),
    )


# -------------------------------------------------------------------------- text constructs


def title(children: Children, context: Context, language: str | None) -> TextValue | None:
    picked = children.pick(("title",), (dc.TITLE,))
    return text_value(picked[1], context, language) if picked else None


# An RSS channel's description is its subtitle; an Atom feed's is not read.
_SUBTITLE = ("subtitle", "tagline")
_CHANNEL_DESCRIPTION = ("description", "summary", "abstract")


def subtitle(
    children: Children, context: Context, language: str | None, *, description_too: bool
) -> TextValue | None:
    """The feed's subtitle; with ``description_too`` (RSS, CDF channels), its description."""
    if description_too:
        picked = children.pick(
            _SUBTITLE + _CHANNEL_DESCRIPTION, ("itunes:subtitle", dc.DESCRIPTION)
        )
    else:
        picked = children.pick(_SUBTITLE, ("itunes:subtitle",))
    if picked is None:
        return None
    key, element = picked
    default = HTML if key in _CHANNEL_DESCRIPTION or key == dc.DESCRIPTION else PLAIN
    return text_value(element, context, language, default)


def rights(children: Children, context: Context, language: str | None) -> TextValue | None:
    picked = children.pick(("rights", "copyright"), dc.RIGHTS)
    return text_value(picked[1], context, language) if picked else None


def info(children: Children, context: Context, language: str | None) -> TextValue | None:
    picked = children.pick(("info", "feedburner:browserfriendly"))
    return text_value(picked[1], context, language) if picked else None


_SUMMARY = frozenset({"description", dc.DESCRIPTION, "summary", "abstract"})
_INLINE_XHTML = frozenset({"xhtml:body", "xhtml:div", "body"})
_CONTENT = frozenset({"content:encoded", "content", "fullitem"}) | _INLINE_XHTML
_SUMMARY_OR_CONTENT = _SUMMARY | _CONTENT


def summary_and_content(
    children: Children, context: Context, language: str | None
) -> tuple[TextValue | None, tuple[TextValue, ...]]:
    """An entry's summary and its content, in document order.

    ``dc:description`` is the summary only when nothing else is. An RSS item with two kinds of
    summary (``description`` and ``summary``) has the second as its full content.
    """
    is_atom = context.is_atom
    summary: TextValue | None = None
    summary_key = ""
    content: list[TextValue] = []
    for key, element in children.in_order(_SUMMARY_OR_CONTENT):
        if key in _INLINE_XHTML:
            content.append(xhtml_body(element, context, language, entry_text=True))
        elif key in _CONTENT:
            default = PLAIN if is_atom and key == "content" else HTML
            content.append(text_value(element, context, language, default, entry_text=True))
        elif summary is None or key != dc.DESCRIPTION:
            value = text_value(element, context, language, PLAIN if is_atom else HTML,
                               entry_text=True)  # fmt: skip
            if not is_atom and summary is not None and summary_key != key:
                content.append(value)
            else:
                summary, summary_key = value, key
    return summary, tuple(content)


# ---------------------------------------------------------------------------- ids and links


def entry_id(children: Children, context: Context) -> tuple[str | None, bool]:
    """The id the feed gives (guid, atom:id, dc:identifier), and whether a guid is a permalink."""
    guid = children.last("guid")
    guid_value = plain(guid) if guid is not None else ""
    is_link = False
    if guid is not None:
        permalink = (guid.get("isPermaLink") or guid.get("ispermalink") or "true").strip().lower()
        is_link = permalink != "false" and guid_value.startswith(("http://", "https://"))
    picked = children.pick(("guid", "id"), (dc.IDENTIFIER,))
    if picked is None:
        return None, is_link
    key, element = picked
    if key == "guid":
        if is_link:
            return resolve(guid_value, element, context) or guid_value, True
        return guid_value, False
    value = plain(element)
    if context.is_atom and key == "id" and value and ":" not in value:
        value = resolve(value, element, context) or value  # a relative IRI reference
    return value, is_link


def links_and_enclosures(
    children: Children, context: Context
) -> tuple[str | None, tuple[Link, ...], tuple[Enclosure, ...], str | None]:
    """The main link, every link, the enclosures, and a license link, in document order."""
    main: str | None = None
    license_link: str | None = None
    links: list[Link] = []
    enclosures: list[Enclosure] = []
    is_atom = context.is_atom
    for key, element in children.in_order(_LINKS):
        if key == "enclosure":
            url = url_attribute(element, context, "url", "href")
            if url:
                enclosure = Enclosure(url=url,
                                      type=attribute(element, "type"),
                                      length=attribute(element, "length"))  # fmt: skip
                enclosures.append(enclosure)
                links.append(Link(href=enclosure.url, rel="enclosure", type=enclosure.type,
                                  length=enclosure.length))  # fmt: skip
            continue
        found = link(element, context)
        if found is None:
            continue
        if element.get("href") is None and not is_atom:
            # RSS <link>URL</link>: the alternate link. An atom:link in RSS has an href.
            main = main or found.href
            links.append(Link(href=found.href, rel="alternate", type="text/html"))
            continue
        if is_atom and found.rel == "self" and found.type is None:
            # A feed's self link points at the feed: Atom, unless it says otherwise.
            found = Link(found.href, "self", "application/atom+xml", found.title, found.length,
                         found.hreflang)  # fmt: skip
        links.append(found)
        if found.rel == "enclosure":
            enclosures.append(Enclosure(url=found.href, type=found.type, length=found.length))
        elif found.rel == "alternate" and main is None:
            main = found.href
        elif found.rel == "license" and license_link is None:
            license_link = found.href
    return main, tuple(links), tuple(enclosures), license_link


_LINKS = frozenset({"link", "enclosure"})


def license_url(children: Children, context: Context, link_license: str | None) -> str | None:
    """A Creative Commons license element, else a link whose rel is license."""
    picked = children.pick(("cc:license", "creativecommons:license"))
    if picked is None:
        return link_license
    element = picked[1]
    resource = attribute(element, RDF_RESOURCE)
    if resource is not None:
        return web_url(resource, element, context, attribute_name="resource", as_written=True)
    return web_url(plain(element), element, context, as_written=True)


def url_of(children: Children, key: str, context: Context) -> str | None:
    """The last ``key`` element's text as a URL (comments, docs, icon, logo); None if empty."""
    element = children.last(key)
    return url_text(element, context) if element is not None else None


def text_of(children: Children, key: str) -> str | None:
    element = children.last(key)
    return (plain(element) or None) if element is not None else None


def new_location(children: Children, context: Context) -> str | None:
    """Where the feed says it has moved (itunes:new-feed-url, <newLocation>): the last said."""
    moved = None
    for _, element in children.in_order(_MOVED):
        moved = url_text(element, context) or moved
    return moved


_MOVED = frozenset({"itunes:new-feed-url", "newlocation"})

# ------------------------------------------------------------------------------------ dates

_PUBLISHED = ("pubdate", "published")
_UPDATED = ("updated", "modified")


def published(children: Children) -> Dated | None:
    picked = children.pick(_PUBLISHED, ("issued", *dc.PUBLISHED))
    return date(picked[1]) if picked else None


def updated(children: Children) -> Dated | None:
    picked = children.pick(_UPDATED, ("lastbuilddate", *dc.UPDATED))
    return date(picked[1]) if picked else None


def created(children: Children) -> Dated | None:
    picked = children.pick(("created", *dc.CREATED))
    return date(picked[1]) if picked else None


def expired(children: Children) -> Dated | None:
    element = children.last("expirationdate")
    return date(element) if element is not None else None


# ----------------------------------------------------------------------- people and topics

_AUTHORS = frozenset({"author", "creator", "managingeditor", *dc.AUTHORS})
_CONTRIBUTORS = frozenset({"contributor", dc.CONTRIBUTOR})


def authors(children: Children, context: Context) -> list[Person]:
    found = (person_or_text(element, context) for _, element in children.in_order(_AUTHORS))
    return [one for one in found if one is not None]


def contributors(children: Children, context: Context) -> list[Person]:
    found: list[Person] = []
    for _, element in children.in_order(_CONTRIBUTORS):
        if len(element):
            found.append(person(element, context))
        elif text := plain(element):
            found.append(person_from_text(text))
    return found


def publisher(children: Children, context: Context) -> Person | None:
    """dc:publisher, else the RSS webMaster."""
    picked = children.pick((dc.PUBLISHER,), ("webmaster",))
    if picked is None:
        return None
    key, element = picked
    if key == dc.PUBLISHER and len(element):
        return person(element, context)
    return person_from_text(plain(element))


_MEDIA_CATEGORY_SCHEME = "http://search.yahoo.com/mrss/category_schema"
_CATEGORIES = frozenset({"category", "keywords", "media:category", dc.SUBJECT})


def categories(children: Children) -> list[Category]:
    """Categories, Dublin Core subjects, comma-separated keywords and Media RSS categories."""
    found: list[Category] = []
    for key, element in children.in_order(_CATEGORIES):
        if key == "keywords":
            found.extend(Category(term=word.strip()) for word in plain(element).split(",")
                         if word.strip())  # fmt: skip
        elif key == "media:category":
            term = plain(element)
            if term:
                scheme = attribute(element, "scheme") or _MEDIA_CATEGORY_SCHEME
                found.append(Category(term, scheme, attribute(element, "label")))
        else:
            one = category(element)
            if one is not None:
                found.append(one)
    return found


def language(children: Children, inherited: str | None) -> str | None:
    """The language an element names (language, dc:language): the last said, else inherited."""
    found = inherited
    for _, element in children.in_order(_LANGUAGE):
        found = language_tag(plain(element)) or found
    return found


_LANGUAGE = frozenset({"language", dc.LANGUAGE})

# ----------------------------------------------------------------------- what channels say


def image(children: Children, context: Context) -> Image | None:
    """The channel's image: the first one."""
    element = children.first("image")
    if element is None:
        return None
    values: dict[str, str | None] = {}
    for child in child_elements(element):
        local = local_name(child.tag)
        if local in ("url", "link"):
            values[local] = url_text(child, context)
        elif local in ("title", "width", "height", "description"):
            values[local] = plain(child) or None
    reference = None
    if not values.get("url"):  # RSS 1.0's <image rdf:resource="...">
        for name in (RDF_RESOURCE, "href"):
            if written := attribute(element, name):
                reference = web_url(
                    written, element, context, attribute_name=local_name(name), as_written=True
                )
                break
    return Image(
        url=values.get("url") or reference,
        title=values.get("title"),
        link=values.get("link"),
        width=integer(values.get("width")),
        height=integer(values.get("height")),
        description=values.get("description"),
    )


def generator(children: Children, context: Context) -> Generator | None:
    picked = children.pick(("generator", "admin:generatoragent"))
    if picked is None:
        return None
    element = picked[1]
    return Generator(
        name=plain(element) or None,
        uri=url_attribute(element, context, "uri", "url", RDF_RESOURCE),
        version=attribute(element, "version"),
    )


def cloud(children: Children) -> Cloud | None:
    element = children.last("cloud")
    if element is None:
        return None
    return Cloud(
        domain=attribute(element, "domain"),
        port=attribute(element, "port"),
        path=attribute(element, "path"),
        register_procedure=attribute(element, "registerProcedure", "registerprocedure"),
        protocol=attribute(element, "protocol"),
    )


def text_input(children: Children, context: Context) -> TextInput | None:
    element = children.last("textinput")
    if element is None:
        return None
    values: dict[str, str | None] = {}
    for child in child_elements(element):
        local = local_name(child.tag)
        if local == "link":
            values[local] = url_text(child, context)
        elif local in ("title", "description", "name"):
            values[local] = plain(child) or None
    return TextInput(**values)  # type: ignore[arg-type,unused-ignore]
