"""Full-text search over published posts: SQLite FTS5 or PostgreSQL, one interface.

`search_posts(query)` returns a lazily evaluated, sliceable result set (what Paginator wants):
hits ranked best first, each with the headline and a snippet where the matched words are marked.
The reader's text never reaches the engine's query syntax: it is reduced to words first
(`domain.search_query`), so quotes, operators and markup answer normally, never with an error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dateline.blog.domain.search_query import fts5_match_expression, search_terms
from dateline.blog.models import PartKind, Post, PostPart, PostStatus, SearchDocument
from dateline.core.markup_text import markup_text

# Marks around matched words, from the engines' highlight functions. Private-use characters
# cannot come from the indexed text in any meaningful way, so the snippet is escaped as a whole
# and only then are the marks turned into <mark> elements.
_START, _END = "\ue000", "\ue001"
SNIPPET_WORDS = 30


@dataclass(frozen=True, slots=True)
class SearchHit:
    post: Post
    headline: SafeString
    snippet: SafeString


def _marked(text: str) -> SafeString:
    html = escape(text).replace(_START, "<mark>").replace(_END, "</mark>")
    return mark_safe(html)


class _Backend(Protocol):
    def count(self, terms: tuple[str, ...]) -> int: ...

    def page(
        self, terms: tuple[str, ...], offset: int, limit: int
    ) -> list[tuple[int, str, str]]: ...


class _Fts5:
    """SQLite: the blog_search_fts table (external content over blog_searchdocument)."""

    _PUBLIC = "p.status = %s AND p.published_at <= %s"

    def count(self, terms: tuple[str, ...]) -> int:
        sql = (
            "SELECT count(*) FROM blog_search_fts f JOIN blog_post p ON p.id = f.rowid "
            f"WHERE blog_search_fts MATCH %s AND {self._PUBLIC}"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [fts5_match_expression(terms), PostStatus.PUBLISHED, timezone.now()]
            )
            return int(cursor.fetchone()[0])

    def page(self, terms: tuple[str, ...], offset: int, limit: int) -> list[tuple[int, str, str]]:
        sql = (
            "SELECT f.rowid, highlight(blog_search_fts, 0, %s, %s), "
            f"snippet(blog_search_fts, 1, %s, %s, '…', {SNIPPET_WORDS}) "
            "FROM blog_search_fts f JOIN blog_post p ON p.id = f.rowid "
            f"WHERE blog_search_fts MATCH %s AND {self._PUBLIC} "
            # Headline matches weigh five times body matches; ties go to the newer post.
            "ORDER BY bm25(blog_search_fts, 5.0, 1.0), p.published_at DESC LIMIT %s OFFSET %s"
        )
        params = [_START, _END, _START, _END, fts5_match_expression(terms)]
        params += [PostStatus.PUBLISHED, timezone.now(), limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(r[0]), r[1], r[2]) for r in cursor.fetchall()]


class _Postgres:
    """PostgreSQL: a GIN index on the weighted tsvector expression below (migration 0002)."""

    _VECTOR = (
        "(setweight(to_tsvector('simple', d.headline), 'A') || "
        "setweight(to_tsvector('simple', d.body_text), 'B'))"
    )
    _PUBLIC = "p.status = %s AND p.published_at <= %s"

    @staticmethod
    def _query(terms: tuple[str, ...]) -> str:
        # Each term is \w+ only; quoted as a lexeme it cannot be read as an operator.
        quoted = ["'" + term.replace("'", "") + "'" for term in terms]
        quoted[-1] += ":*"
        return " & ".join(quoted)

    def count(self, terms: tuple[str, ...]) -> int:
        sql = (
            "SELECT count(*) FROM blog_searchdocument d JOIN blog_post p ON p.id = d.post_id "
            f"WHERE {self._VECTOR} @@ to_tsquery('simple', %s) AND {self._PUBLIC}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self._query(terms), PostStatus.PUBLISHED, timezone.now()])
            return int(cursor.fetchone()[0])

    def page(self, terms: tuple[str, ...], offset: int, limit: int) -> list[tuple[int, str, str]]:
        options = f"StartSel={_START}, StopSel={_END}, MaxWords={SNIPPET_WORDS}, MinWords=12"
        sql = (
            "SELECT d.post_id, ts_headline('simple', d.headline, q, %s), "
            "ts_headline('simple', d.body_text, q, %s) "
            "FROM blog_searchdocument d JOIN blog_post p ON p.id = d.post_id, "
            "to_tsquery('simple', %s) q "
            f"WHERE {self._VECTOR} @@ q AND {self._PUBLIC} "
            f"ORDER BY ts_rank({self._VECTOR}, q) DESC, p.published_at DESC LIMIT %s OFFSET %s"
        )
        params = [options + ", HighlightAll=true", options, self._query(terms)]
        params += [PostStatus.PUBLISHED, timezone.now(), limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(r[0]), r[1], r[2]) for r in cursor.fetchall()]


def _backend() -> _Backend:
    return _Postgres() if connection.vendor == "postgresql" else _Fts5()


class SearchResults:
    """Ranked hits for one query; counts and fetches only the slice a page asks for."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = terms
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = _backend().count(self.terms) if self.terms else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[SearchHit]:
        if not isinstance(window, slice) or not self.terms:
            return []
        offset = window.start or 0
        limit = max(0, (window.stop if window.stop is not None else offset + 20) - offset)
        rows = _backend().page(self.terms, offset, limit)
        posts = Post.objects.only_link().in_bulk([row[0] for row in rows])
        return [
            SearchHit(post=posts[pk], headline=_marked(headline), snippet=_marked(snippet))
            for pk, headline, snippet in rows
            if pk in posts
        ]


NO_RESULTS = SearchResults(())


def search_posts(query: str) -> SearchResults:
    return SearchResults(search_terms(query))


def index_post(post: Post) -> None:
    """Writes the post's searchable text (call inside the transaction that changed it)."""
    parts = PostPart.objects.filter(post=post).order_by("position")
    headline, body_text = _document(post, parts)
    SearchDocument.objects.update_or_create(
        post=post, defaults={"headline": headline, "body_text": body_text}
    )


def index_posts(posts: list[Post]) -> None:
    """Writes the searchable text of many posts at once (a fixed number of statements)."""
    _rewrite_documents(posts)


def _document(post: Post, parts: Iterable[PostPart]) -> tuple[str, str]:
    """The headline and body text the index holds for `post`, whose parts are in order."""
    texts: list[str] = []
    for part in parts:
        if part.kind == PartKind.CITATION or part.url:
            texts += [part.outlet_name, part.source_headline, markup_text(part.quoted_excerpt)]
        if part.kind != PartKind.CITATION:
            texts += [part.speaker, markup_text(part.body)]
    texts.insert(0, post.dateline_place)
    # Composed (NFC), as queries are (domain.search_query): text written decomposed (some
    # systems and imports do) would otherwise match no query typed the usual way.
    body_text = unicodedata.normalize("NFC", " ".join(t for t in texts if t))
    return unicodedata.normalize("NFC", post.headline), body_text


REBUILD_BATCH = 500


@dataclass(frozen=True, slots=True)
class RebuildReport:
    posts: int
    written: int  # documents created or corrected; 0 when the index was right


def rebuild_index(*, batch_size: int = REBUILD_BATCH) -> RebuildReport:
    """Writes every post's search text again from its parts, then (SQLite) has FTS5 rebuild its
    word index from those rows: after a restore, an import that bypassed the services, or a bug.

    Idempotent: a document that already holds the right text is not written. Memory holds one
    batch of posts and their parts at a time; each batch is one transaction, so the site goes on
    answering (and writing) while a large index is rebuilt."""
    posts = written = 0
    after = 0
    while True:
        with transaction.atomic():
            batch = list(
                Post.objects.filter(pk__gt=after)
                .order_by("pk")
                .only("pk", "headline", "dateline_place")[:batch_size]
            )
            if not batch:
                break
            written += _rewrite_documents(batch)
        posts += len(batch)
        after = batch[-1].pk
    if connection.vendor == "sqlite":
        # The FTS5 table is an index over blog_searchdocument kept in step by triggers; rebuilt
        # from that table whole, it matches it again whatever happened to it (PostgreSQL's GIN
        # index is maintained by the server itself).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO blog_search_fts(blog_search_fts) VALUES ('rebuild')")
    return RebuildReport(posts=posts, written=written)


def _rewrite_documents(batch: list[Post]) -> int:
    parts_by_post: dict[int, list[PostPart]] = {post.pk: [] for post in batch}
    for part in PostPart.objects.filter(post__in=batch).order_by("post_id", "position"):
        parts_by_post[part.post_id].append(part)
    stored = SearchDocument.objects.in_bulk([post.pk for post in batch])
    missing: list[SearchDocument] = []
    wrong: list[SearchDocument] = []
    for post in batch:
        headline, body_text = _document(post, parts_by_post[post.pk])
        document = stored.get(post.pk)
        if document is None:
            missing.append(SearchDocument(post=post, headline=headline, body_text=body_text))
        elif (document.headline, document.body_text) != (headline, body_text):
            document.headline, document.body_text = headline, body_text
            wrong.append(document)
    SearchDocument.objects.bulk_create(missing)
    SearchDocument.objects.bulk_update(wrong, ["headline", "body_text"])
    return len(missing) + len(wrong)
