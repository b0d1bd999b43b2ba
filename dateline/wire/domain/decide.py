"""Which entries of a freshly fetched feed are new, changed, unchanged or already known elsewhere.

This is the pure step between parsing and storage (lemon24/reader's "decide"): it takes the
entries as the feed gives them now and what the database remembers, and returns a plan the
service writes in one transaction. No I/O here, so every rule is tested with plain data.

Identity within a feed: the entry's GUID; failing a match, its link (canonical form); failing
that, a hash of its content. Across feeds: the canonical URL, so one article syndicated by two
feeds is stored once and both feeds' sightings point at it. Every distinct entry key a feed
served gets a sighting, so nothing a feed published is lost even when two entries collapse into
one article. An entry whose content changed updates its article and keeps the earlier title.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from dateline.core.urls import InvalidURL, canonical_url

MAX_KEY_LENGTH = 500  # longer GUIDs and links are keyed by their hash (the column has a limit)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry as the feed gives it now, reduced to what storage needs."""

    guid: str | None
    link: str | None
    canonical_url: str | None
    title: str
    summary: str
    content: str
    published_at: datetime | None
    updated_at: datetime | None
    # Of what the feed wrote (before sanitising): a new sanitiser policy changes no hash.
    content_hash: str
    # Which of "summary" and "content" still hold the feed's own HTML, not yet sanitised, each
    # with the base URL its relative links resolve against. Storing sanitises them
    # (wire/pipeline/parse.sanitised), and only for the entries it writes.
    raw_html: tuple[tuple[str, str | None], ...] = ()

    @property
    def key(self) -> str:
        """This entry's identity within its feed: GUID, else link, else content hash.

        An entry with neither GUID nor link is told apart by its date as well: feeds of status
        events repeat the same text ("was added and is broken") as distinct, dated entries.
        """
        if self.guid:
            return _bounded("guid", self.guid)
        if self.link:
            return _bounded("link", self.canonical_url or self.link)
        if self.published_at is not None:
            return f"hash:{self.content_hash}@{self.published_at.isoformat()}"
        return "hash:" + self.content_hash


def _bounded(kind: str, value: str) -> str:
    if len(value) <= MAX_KEY_LENGTH:
        return f"{kind}:{value}"
    return f"{kind}-sha256:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def content_hash(title: str, link: str | None, summary: str, content: str) -> str:
    digest = hashlib.sha256()
    for part in (title, link or "", summary, content):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")  # a separator, so ("ab", "c") and ("a", "bc") differ
    return digest.hexdigest()[:32]


def make_candidate(
    *,
    guid: str | None,
    link: str | None,
    title: str = "",
    summary: str = "",
    content: str = "",
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    raw_html: tuple[tuple[str, str | None], ...] = (),
) -> Candidate:
    guid = (guid or "").strip() or None
    link = (link or "").strip() or None
    canonical = None
    if link:
        try:
            canonical = canonical_url(link)
        except InvalidURL:
            canonical = None  # a mailto: or relative link identifies nothing across feeds
    return Candidate(
        guid=guid,
        link=link,
        canonical_url=canonical,
        title=title,
        summary=summary,
        content=content,
        published_at=published_at,
        updated_at=updated_at,
        content_hash=content_hash(title, link, summary, content),
        raw_html=raw_html,
    )


@dataclass(frozen=True, slots=True)
class Known:
    """A stored article, as far as deciding needs it."""

    article_id: int
    title: str
    content_hash: str
    earlier_titles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Memory:
    """What the database remembers that could match this feed's entries."""

    # This feed's sightings: entry key -> article id.
    keys: Mapping[str, int] = field(default_factory=dict)
    # This feed's articles by canonical link and by content hash.
    links: Mapping[str, int] = field(default_factory=dict)
    hashes: Mapping[str, int] = field(default_factory=dict)
    # Articles any feed stored, by canonical URL.
    canonical: Mapping[str, int] = field(default_factory=dict)
    articles: Mapping[int, Known] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ref:
    """An article: one already stored (`stored` id) or one this plan creates (`pending` index)."""

    stored: int | None = None
    pending: int | None = None


@dataclass(frozen=True, slots=True)
class NewArticle:
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class ChangedArticle:
    article_id: int
    candidate: Candidate
    earlier_titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rehashed:
    """A stored article whose entry the feed rewrote only where storing drops it (a script, an
    attribute the sanitiser removes, white space): its text stays, its hash becomes the new one,
    so the next poll of the same entry finds it unchanged without sanitising it again."""

    article_id: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class NewSighting:
    """This feed served `key`, which is (or belongs to) the article `ref`."""

    ref: Ref
    key: str
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class Plan:
    new: tuple[NewArticle, ...] = ()
    changed: tuple[ChangedArticle, ...] = ()
    sightings: tuple[NewSighting, ...] = ()
    unchanged: int = 0
    # Set by storing, once it has compared the changed articles' sanitised text with the stored.
    rehashed: tuple[Rehashed, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.sightings or self.rehashed)

    @property
    def written(self) -> tuple[Candidate, ...]:
        """The candidates whose texts this plan stores: new and changed articles."""
        return (*(n.candidate for n in self.new), *(c.candidate for c in self.changed))

    def settled(self, stored_text_same: Callable[[ChangedArticle], bool]) -> Plan:
        """This plan with the changed articles whose stored text would stay the same moved to
        `rehashed`. The content hash is of the feed's own HTML (cheap: nothing is sanitised for
        an entry the feed did not touch), so it also moves when only what sanitising drops did.
        """
        same = [stored_text_same(change) for change in self.changed]
        if not any(same):
            return self
        pairs = list(zip(self.changed, same, strict=True))
        rehashed = tuple(Rehashed(c.article_id, c.candidate.content_hash) for c, s in pairs if s)
        return replace(
            self,
            changed=tuple(c for c, s in pairs if not s),
            rehashed=(*self.rehashed, *rehashed),
            unchanged=self.unchanged + len(rehashed),
        )


def decide(candidates: Iterable[Candidate], memory: Memory) -> Plan:
    keys: dict[str, Ref] = {k: Ref(stored=v) for k, v in memory.keys.items()}
    links: dict[str, Ref] = {k: Ref(stored=v) for k, v in memory.links.items()}
    hashes: dict[str, Ref] = {k: Ref(stored=v) for k, v in memory.hashes.items()}
    canonical: dict[str, Ref] = {k: Ref(stored=v) for k, v in memory.canonical.items()}
    new: list[NewArticle] = []
    changed: dict[int, ChangedArticle] = {}
    sightings: list[NewSighting] = []
    unchanged = 0

    for candidate in candidates:
        key = candidate.key
        ref = keys.get(key)
        if ref is None and candidate.canonical_url:
            ref = links.get(candidate.canonical_url)
        if ref is None:
            ref = hashes.get(candidate.content_hash)
        in_this_feed = ref is not None
        if ref is None and candidate.canonical_url:
            ref = canonical.get(candidate.canonical_url)

        if ref is None:
            ref = Ref(pending=len(new))
            new.append(NewArticle(candidate))
        elif in_this_feed and ref.stored is not None:
            known = memory.articles.get(ref.stored)
            if known is not None and known.content_hash != candidate.content_hash:
                previous = changed.get(ref.stored)
                earlier = previous.earlier_titles if previous else known.earlier_titles
                title = previous.candidate.title if previous else known.title
                if title and title != candidate.title and title not in earlier:
                    earlier = (*earlier, title)
                changed[ref.stored] = ChangedArticle(ref.stored, candidate, earlier)
            else:
                unchanged += 1
            # An article this feed already has a sighting of, under another key (its GUID
            # changed, or the feed makes up a new one on every request): matched by link or
            # content as now on every poll, it needs no row per key, which a feed that
            # regenerates its GUIDs would add on every poll.
            keys.setdefault(key, ref)
        elif key in keys:
            unchanged += 1

        if key not in keys:
            sightings.append(NewSighting(ref, key, candidate))
            keys[key] = ref
        if candidate.canonical_url:
            links.setdefault(candidate.canonical_url, ref)
            canonical.setdefault(candidate.canonical_url, ref)
        hashes.setdefault(candidate.content_hash, ref)

    return Plan(tuple(new), tuple(changed.values()), tuple(sightings), unchanged)
