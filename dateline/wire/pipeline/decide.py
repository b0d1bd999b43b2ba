"""The decide stage of polling: which entries of a parsed document to write, before any transaction.

What the database remembers that the document's entries could match is read in two queries
(`remembered`), outside any transaction, and `domain.decide` compares them by their hashes of
the feed's own HTML: nothing needs sanitising to tell a new or changed entry from one stored
already. The `Decision` then says which entries will be written, and only those are sanitised
(`Decision.to_sanitise`, done by the parse pool) before the store stage writes it in one short
transaction that checks the memory still holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dateline.wire.domain.decide import Candidate, Known, Memory, Plan, decide
from dateline.wire.models import Article, Feed, KnownArticle, Sighting
from dateline.wire.pipeline.parse import Document

# Candidates looked up per query: three lists of this many stay far below SQLite's and
# PostgreSQL's limits on parameters, and a feed rarely has more entries.
_LOOKUP_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Decision:
    """What storing `document` for a feed will write, decided from `memory`."""

    document: Document
    memory: Memory
    plan: Plan

    def to_sanitise(self) -> tuple[int, ...]:
        """Positions in the document of the entries to write that still hold the feed's HTML."""
        raw = {id(candidate) for candidate in self.plan.written if candidate.raw_html}
        if not raw:
            return ()
        return tuple(i for i, c in enumerate(self.document.candidates) if id(c) in raw)

    def with_sanitised(self, positions: Sequence[int], sanitised: Sequence[Candidate]) -> Decision:
        """This decision with the candidates at `positions` replaced by their sanitised form.

        Sanitising changes no content hash (it is of the feed's own HTML), so deciding again
        from the same memory makes the same plan, now holding the sanitised candidates.
        """
        replacements = dict(zip(positions, sanitised, strict=True))
        document = self.document.with_candidates(replacements)
        return Decision(document, self.memory, decide(document.candidates, self.memory))


def decide_document(feed: Feed, document: Document) -> Decision:
    """Reads what `feed`'s entries could match (no transaction) and decides what to write."""
    memory = remembered(feed, list(document.candidates))
    return Decision(document, memory, decide(document.candidates, memory))


def remembered(feed: Feed, candidates: list[Candidate]) -> Memory:
    """Everything stored that one of `candidates` could match: two queries, whatever the size.

    The feed's sightings of the candidates' keys, then every article one of them could be: one
    of those, one any feed stored under a candidate's canonical URL, or one of this feed's with
    a candidate's content hash, each marked with whether this feed saw it.
    """
    keys: dict[str, int] = {}
    found: dict[int, KnownArticle] = {}
    for start in range(0, len(candidates), _LOOKUP_CHUNK):
        chunk = candidates[start : start + _LOOKUP_CHUNK]
        chunk_keys = Sighting.objects.keys_of(feed, {c.key for c in chunk})
        keys.update(chunk_keys)
        for article in Article.objects.matching(
            feed,
            ids=set(chunk_keys.values()),
            canonical_urls={c.canonical_url for c in chunk if c.canonical_url},
            content_hashes={c.content_hash for c in chunk},
        ):
            found[article.id] = article
    rows = [found[key] for key in sorted(found)]
    return Memory(
        keys=keys,
        links={a.canonical_url: a.id for a in rows if a.canonical_url and a.seen_by_feed},
        hashes={a.content_hash: a.id for a in rows if a.seen_by_feed},
        canonical={a.canonical_url: a.id for a in rows if a.canonical_url},
        articles={a.id: Known(a.id, a.title, a.content_hash, a.earlier_titles) for a in rows},
    )
