"""An element's children into a record: ``feed_info``, ``entry`` and ``source``.

Each record takes its fields from ``common`` and the extension modules, then fills what the
feed said only in an extension's terms (a podcast's iTunes summary, a Media RSS title) where
nothing else said it. The format modules decide which elements are the feed and its entries.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from lxml import etree

from dateline.wire.adapters.xml import comments, common, geo, itunes, media, rdf
from dateline.wire.adapters.xml import dublin_core as dc
from dateline.wire.adapters.xml.reading import Children, Context
from dateline.wire.adapters.xml.text import Dated, base, plain, url_attribute
from dateline.wire.domain.records import (
    PLAIN,
    Category,
    Entry,
    FeedInfo,
    Image,
    Itunes,
    Link,
    Media,
    Person,
    Source,
    TextValue,
)

_ITUNES_CATEGORY_SCHEME = "http://www.itunes.com/"


def feed_info(
    children: Children, context: Context, language: str | None, *, description_is_subtitle: bool
) -> FeedInfo:
    """What a channel (RSS, CDF) or feed (Atom) element says about the feed."""
    own_language = common.language(children, language)
    podcast = itunes.read(children, context)
    title = common.title(children, context, language)
    if title is None:
        title = _media_title(media.read(children, context), language)
    subtitle = common.subtitle(children, context, language, description_too=description_is_subtitle)
    feed_id, _ = common.entry_id(children, context)
    link, links, _, _ = common.links_and_enclosures(children, context)
    updated, published = common.updated(children), common.published(children)
    created = common.created(children)
    valid_from, valid_until = dc.valid_period(children)
    image = common.image(children, context)
    authors = common.authors(children, context)
    publisher = common.publisher(children, context)
    categories = common.categories(children)
    if podcast is not None:
        categories = _with_itunes_categories(categories, podcast)
        if image is None and podcast.image:
            image = Image(url=podcast.image)
        publisher = publisher or podcast.owner
        if not authors and podcast.author:
            authors = [Person(name=podcast.author)]
        if subtitle is None and podcast.summary:
            subtitle = TextValue(podcast.summary, PLAIN, own_language)
    return FeedInfo(
        title=title,
        subtitle=subtitle,
        link=link,
        links=links,
        id=feed_id,
        language=own_language,
        icon=common.url_of(children, "icon", context),
        logo=common.url_of(children, "logo", context),
        image=image,
        updated=_moment(updated),
        published=_moment(published),
        authors=tuple(authors),
        contributors=tuple(common.contributors(children, context)),
        publisher=publisher,
        rights=common.rights(children, context, language),
        info=common.info(children, context, language),
        categories=tuple(categories),
        generator=common.generator(children, context),
        docs=common.url_of(children, "docs", context),
        ttl=common.text_of(children, "ttl"),
        cloud=common.cloud(children),
        text_input=common.text_input(children, context),
        new_location=common.new_location(children, context),
        in_reply_to=comments.in_reply_to(children, context),
        itunes=podcast,
        updated_text=_text(updated),
        published_text=_text(published),
        created=_moment(created),
        created_text=_text(created),
        valid_from=_moment(valid_from),
        valid_until=_moment(valid_until),
        valid_from_text=valid_from[1] if valid_from else None,
        valid_until_text=valid_until[1] if valid_until else None,
    )


def entry(
    element: etree._Element,
    context: Context,
    language: str | None,
    *,
    attribute_link: Link | None = None,
    default_updated: Dated | None = None,
) -> Entry:
    """An item (RSS, RDF, CDF) or entry (Atom) element's record.

    ``attribute_link`` is a link the format writes as an attribute (CDF's HREF): the entry's
    link. ``default_updated``: its date, when no element gives one (CDF's LASTMOD).
    """
    children = Children(element, context)
    own_language = common.language(children, language)
    media_said = media.read(children, context)
    title = common.title(children, context, language) or _media_title(media_said, language)
    summary, content = common.summary_and_content(children, context, language)
    link, links, enclosures, link_license = common.links_and_enclosures(children, context)
    if attribute_link is not None:
        link, links = attribute_link.href, (*links, attribute_link)
    entry_id, id_is_link = common.entry_id(children, context)
    if entry_id is None:
        entry_id = rdf.item_id(element)
    updated = common.updated(children) or default_updated
    published = common.published(children)
    authors = common.authors(children, context)
    publisher = common.publisher(children, context)
    categories = common.categories(children)
    podcast = itunes.read(children, context)
    image: str | None = None
    if podcast is not None:
        categories = _with_itunes_categories(categories, podcast)
        image = podcast.image or None
        publisher = publisher or podcast.owner
        if not authors and podcast.author:
            authors = [Person(name=podcast.author)]
        if summary is None and podcast.summary:
            summary = TextValue(podcast.summary, PLAIN, own_language)
    if media_said is not None:
        if summary is None and media_said.description:
            summary = TextValue(media_said.description, PLAIN, language)
        if image is None and media_said.thumbnails:
            image = media_said.thumbnails[0].url
    link_from_id = False
    if link is None and id_is_link:
        link, link_from_id = entry_id, True
    if summary is None and content:
        # Consumers read the summary to show an entry; a feed with only content gives that.
        summary = content[0]
    id_from_feed = bool(entry_id)
    if not entry_id:
        entry_id = link or _stable_id(
            title.value if title else None,
            link,
            summary or (content[0] if content else None),
            _text(published) or _text(updated) or "",
        )
    record = Entry(
        id=entry_id,
        title=title,
        link=link,
        links=links,
        published=_moment(published),
        updated=_moment(updated),
        authors=tuple(authors),
        publisher=publisher,
        categories=tuple(categories),
        summary=summary,
        content=content,
        enclosures=enclosures,
        media=media_said,
        id_from_feed=id_from_feed,
        link_from_id=link_from_id,
        image=image,
        language=own_language,
        where=geo.where(children),
        itunes=podcast,
        license=common.license_url(children, context, link_license),
        updated_text=_text(updated),
        published_text=_text(published),
    )
    if children.by_key.keys().isdisjoint(_SELDOM):
        return record  # most entries: their other fields stay empty
    return _with_seldom_fields(record, children, context, language)


# What few entries have: looked for only when one of these elements is there.
_SELDOM = frozenset(
    {"created", "expirationdate", "contributor", "rights", "copyright", "source", "comments",
     "wfw:comment", "wfw:commentrss", "thr:in-reply-to", "psc:chapters", "dcterms:valid",
     dc.CONTRIBUTOR, *dc.CREATED, *dc.RIGHTS}
)  # fmt: skip


def _with_seldom_fields(
    record: Entry, children: Children, context: Context, language: str | None
) -> Entry:
    created, expired = common.created(children), common.expired(children)
    valid_from, valid_until = dc.valid_period(children)
    chapters, chapters_version = itunes.chapters(children, context)
    return replace(
        record,
        created=_moment(created),
        expired=_moment(expired),
        contributors=tuple(common.contributors(children, context)),
        rights=common.rights(children, context, language),
        source=_last_source(children, context, language),
        comments=comments.comments_page(children, context),
        chapters=chapters,
        chapters_version=chapters_version,
        comments_feed=comments.comments_feed(children, context),
        created_text=_text(created),
        expired_text=_text(expired),
        valid_from=_moment(valid_from),
        valid_until=_moment(valid_until),
        valid_from_text=valid_from[1] if valid_from else None,
        valid_until_text=valid_until[1] if valid_until else None,
        comment_api=comments.comment_api(children, context),
        in_reply_to=comments.in_reply_to(children, context),
    )


def _last_source(children: Children, context: Context, language: str | None) -> Source | None:
    element = children.last("source")
    return source(element, context, language) if element is not None else None


def source(element: etree._Element, context: Context, language: str | None) -> Source:
    """The feed an entry was first published in: Atom's source element, or RSS's, a title
    with the feed's address in ``url``."""
    if not context.is_atom and not any(isinstance(child.tag, str) for child in element):
        resolved = url_attribute(element, context, "url")
        text = plain(element)
        title = TextValue(text, PLAIN, language, base(element, context)) if text else None
        return Source(title=title, url=resolved, link=resolved)
    children = Children(element, context)
    title = common.title(children, context, language)
    if title is None:
        title = _media_title(media.read(children, context), language)
    link, links, _, _ = common.links_and_enclosures(children, context)
    updated = common.updated(children)
    subtitle = common.subtitle(children, context, language, description_too=False)
    authors = common.authors(children, context)
    categories = common.categories(children)
    podcast = itunes.read(children, context)
    if podcast is not None:
        categories = _with_itunes_categories(categories, podcast)
        if not authors and podcast.author:
            authors = [Person(name=podcast.author)]
        if subtitle is None and podcast.summary:
            subtitle = TextValue(podcast.summary, PLAIN, common.language(children, language))
    return Source(
        title=title,
        url=next((one.href for one in links if one.rel == "self"), None),
        id=common.entry_id(children, context)[0],
        link=link,
        links=links,
        updated=_moment(updated),
        authors=tuple(authors),
        contributors=tuple(common.contributors(children, context)),
        categories=tuple(categories),
        generator=common.generator(children, context),
        icon=common.url_of(children, "icon", context),
        logo=common.url_of(children, "logo", context),
        rights=common.rights(children, context, language),
        subtitle=subtitle,
    )


def _media_title(said: Media | None, language: str | None) -> TextValue | None:
    """A Media RSS title, which stands in for a missing title."""
    return TextValue(said.title, PLAIN, language) if said is not None and said.title else None


def _with_itunes_categories(categories: list[Category], podcast: Itunes) -> list[Category]:
    """Podcast feeds often say things only in iTunes terms: use them where nothing else did."""
    known = {category.term for category in categories}
    added = list(categories)
    for term in podcast.categories:
        if term not in known:
            added.append(Category(term=term, scheme=_ITUNES_CATEGORY_SCHEME))
            known.add(term)
    for term in podcast.keywords:
        if term not in known:
            added.append(Category(term=term))
            known.add(term)
    return added


def _moment(value: Dated | None) -> datetime | None:
    return value[0] if value else None


def _text(value: Dated | None) -> str | None:
    return value[1] or None if value else None


def _stable_id(title: str | None, link: str | None, summary: TextValue | None, when: str) -> str:
    digest = hashlib.sha256()
    for part in (title or "", link or "", summary.value if summary else "", when):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return "sha256:" + digest.hexdigest()[:32]
