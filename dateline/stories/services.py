"""The stories app's public commands: clustering the wire into stories, and editors' corrections.

Each worker process keeps one in-memory clusterer (dateline.stories.domain.clusterer). It is built
from the open stories' articles when the process first clusters, and again whenever the database
has moved on without it (another worker moved the cursor, or a correction could not be applied
to it in place). New articles are fed to it in arrival (id) order; what it answers is written in
the transaction that moves the cursor, after checking that nobody wrote in between, so a killed
worker neither loses nor repeats an article (decision 0025).

Editors' corrections are written to the database at once, and logged; each worker applies the
ones made since it last looked to its clusterer before it clusters again, so a later arrival can
never undo one (decision 0026).
"""

from __future__ import annotations

import html
import itertools
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from dateline.core import claims
from dateline.stories.domain import ranking
from dateline.stories.domain.clusterer import StoryClusterer
from dateline.stories.domain.records import ArticleIn, Assignment
from dateline.stories.exceptions import ArticleNotInStory, InvalidCorrection
from dateline.stories.models import (
    ClusteringCursor,
    CorrectionKind,
    LabelledPair,
    Story,
    StoryArticle,
    StoryCorrection,
)
from dateline.stories.signals import story_updated
from dateline.wire.models import Article

BATCH = 200
LEASE = timedelta(minutes=5)
CURSOR = 1
# The lead the clusterer reads when an article has no summary: enough for its features.
TEXT_LIMIT = 2000
# Pairs kept per correction: a merge of two large stories labels their cross product.
MAX_PAIRS_PER_CORRECTION = 10_000

_SPACE = re.compile(r"\s+")


# --- From the wire's articles to the clusterer's records ---------------------------------------


def seen_at(published_at: datetime | None, fetched_at: datetime) -> datetime:
    """When an article counts as published: its own date, never later than it reached the wire."""
    if published_at is None:
        return fetched_at
    return min(published_at, fetched_at)


def plain_text(markup: str) -> str:
    """The text of sanitised feed HTML, entities decoded and white space collapsed."""
    return _SPACE.sub(" ", html.unescape(strip_tags(markup))).strip()


def article_in(article: Article) -> ArticleIn:
    """The clusterer's view of a wire article (its outlet must be loaded or loadable)."""
    text = plain_text(article.summary) or plain_text(article.content or article.full_text)
    return ArticleIn(
        id=str(article.pk),
        title=_SPACE.sub(" ", article.title).strip(),
        text=text[:TEXT_LIMIT],
        outlet=str(article.outlet_id),
        language=article.language or article.outlet.language or None,
        published=seen_at(article.published_at, article.fetched_at),
    )


# --- Coverage and ranking, recomputed where a story's articles change ---------------------------


def _language(tag: str) -> str:
    return tag.split("-")[0].lower()


def recompute_coverage(story_ids: Iterable[int]) -> dict[int, Story]:
    """Brings the stories' first reporter, counts and rank up to date with their articles.

    Two queries and one update whatever the number of stories; call it inside the transaction
    that changed their articles.
    """
    ids = set(story_ids)
    if not ids:
        return {}
    rows = StoryArticle.objects.filter(story_id__in=ids).values_list(
        "story_id",
        "article_id",
        "article__title",
        "article__published_at",
        "article__fetched_at",
        "article__language",
        "article__outlet_id",
        "article__outlet__country",
        "article__outlet__language",
    )
    by_story: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_story[row[0]].append(row)
    stories = Story.objects.in_bulk(ids)
    for story_id, story in stories.items():
        members = by_story.get(story_id, [])
        times = [seen_at(published, fetched) for _, _, _, published, fetched, *_ in members]
        outlets = {row[6] for row in members}
        countries = sorted({row[7].upper() for row in members if row[7]})
        languages = sorted({_language(row[5] or row[8]) for row in members if row[5] or row[8]})
        story.article_count = len(members)
        story.outlet_count = len(outlets)
        story.countries, story.country_count = countries, len(countries)
        story.languages, story.language_count = languages, len(languages)
        if not members:  # absorbed by a merge: nothing to rank
            story.first_article_id, story.recent_article_count, story.rank_key = None, 0, 0.0
            continue
        first = min(zip(times, members, strict=True), key=lambda pair: (pair[0], pair[1][1]))
        story.first_article_id = first[1][1]
        story.headline = first[1][2] or story.headline
        story.first_seen_at, story.last_seen_at = min(times), max(times)
        story.recent_article_count = ranking.velocity(times)
        story.rank_key = ranking.rank_key(
            ranking.Coverage(
                outlets=len(outlets),
                countries=len(countries),
                recent_articles=story.recent_article_count,
                last_seen=story.last_seen_at,
            )
        )
    Story.objects.bulk_update(
        stories.values(),
        [
            "headline",
            "first_seen_at",
            "last_seen_at",
            "first_article",
            "article_count",
            "outlet_count",
            "countries",
            "country_count",
            "languages",
            "language_count",
            "recent_article_count",
            "rank_key",
        ],
    )
    return stories


# --- The clustering job ------------------------------------------------------------------------


@dataclass
class _Memory:
    """What one process's clusterer holds, and how far into the database it has read."""

    clusterer: StoryClusterer
    cursor_epoch: uuid.UUID
    last_article_id: int
    last_correction_id: int
    story_of_cluster: dict[int, int] = field(default_factory=dict)
    cluster_of_story: dict[int, int] = field(default_factory=dict)
    # The wire's clock: the latest time of an article the clusterer holds or held.
    clock: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))
    # Cluster ids the clusterer gave to stories editors opened, not yet written to the database.
    unsaved_cluster_ids: dict[int, int] = field(default_factory=dict)

    def bind(self, cluster_id: int, story_id: int) -> None:
        self.story_of_cluster[cluster_id] = story_id
        self.cluster_of_story[story_id] = cluster_id

    def forget(self, cluster_id: int) -> None:
        story_id = self.story_of_cluster.pop(cluster_id, None)
        if story_id is not None:
            self.cluster_of_story.pop(story_id, None)


class _Stale(Exception):
    """The database moved on while this process clustered: its memory must be rebuilt."""


def _last_correction_id() -> int:
    last = StoryCorrection.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def _lock_cursor() -> ClusteringCursor:
    ClusteringCursor.objects.get_or_create(pk=CURSOR)
    return ClusteringCursor.objects.select_for_update().get(pk=CURSOR)


class ClusteringWorker:
    """One process's share of the clustering job: its clusterer and what it knows of the database.

    ``make_clusterer`` builds an empty clusterer (the shipped one by default); ``batch`` is how
    many articles one run clusters and writes in one transaction.
    """

    def __init__(
        self, make_clusterer: Callable[[], StoryClusterer] = StoryClusterer, *, batch: int = BATCH
    ) -> None:
        self._make_clusterer = make_clusterer
        self._batch = batch
        self._memory: _Memory | None = None
        # How many times this process rebuilt its clusterer from the database.
        self.restores = 0

    def run(self, now: datetime) -> int:
        """Clusters one batch of new articles; returns how many (0: nothing to do, or busy)."""
        ClusteringCursor.objects.get_or_create(pk=CURSOR)
        if not claims.claim(
            ClusteringCursor.objects.filter(pk=CURSOR), now=now, lease=LEASE, limit=1
        ):
            return 0  # another worker is clustering
        try:
            return self._run_claimed(now)
        except BaseException:
            self._memory = None  # it may hold work the database never got
            raise
        finally:
            claims.release(ClusteringCursor, [CURSOR])

    def _run_claimed(self, now: datetime) -> int:
        position = (
            ClusteringCursor.objects.filter(pk=CURSOR).values_list("epoch", "last_article_id").get()
        )
        memory = self._memory
        if (
            memory is None
            or (memory.cursor_epoch, memory.last_article_id) != position
            or (memory.last_correction_id != _last_correction_id() and not self._catch_up(memory))
        ):
            memory = self._restore()
        self._memory = memory

        batch = list(
            Article.objects.filter(id__gt=memory.last_article_id)
            .select_related("outlet")
            .order_by("id")[: self._batch]
        )
        assignments, closed = [], []
        for article in batch:
            record = article_in(article)
            # Stories close by the wire's clock (the latest article's time), not the wall's: a
            # quiet wire, or a backlog being caught up, never closes a story the next articles
            # continue. They close before the article that moves the clock on is matched.
            if record.published and record.published > memory.clock:
                memory.clock = record.published
                closed += memory.clusterer.close_idle(memory.clock)
            assignments.append(memory.clusterer.add(record))
        if not batch and not closed and not memory.unsaved_cluster_ids:
            return 0
        try:
            with transaction.atomic():
                cursor = _lock_cursor()
                if (cursor.epoch, cursor.last_article_id) != (
                    memory.cursor_epoch,
                    memory.last_article_id,
                ) or _last_correction_id() != memory.last_correction_id:
                    raise _Stale
                self._write(memory, batch, assignments, closed, now)
                if batch:
                    cursor.last_article_id = batch[-1].id
                    cursor.save(update_fields=["last_article_id"])
        except _Stale:
            # A correction (or another worker) came in while this batch was clustered: drop it
            # and start again from the database next time.
            self._memory = None
            return max(len(batch), 1)
        memory.last_article_id = cursor.last_article_id
        return len(batch) or len(closed)

    def _restore(self) -> _Memory:
        """Builds a clusterer from the open stories' articles, under the ids they had."""
        self.restores += 1
        with transaction.atomic():
            cursor = _lock_cursor()  # corrections wait: the snapshot below is consistent
            last_correction_id = _last_correction_id()
            stories = list(Story.objects.open().order_by("id").values_list("id", "cluster_id"))
            members: dict[int, list[Article]] = defaultdict(list)
            for membership in (
                StoryArticle.objects.filter(story__closed=False)
                .select_related("article__outlet")
                .order_by("article_id")
            ):
                members[membership.story_id].append(membership.article)
            used = [cluster_id for _, cluster_id in stories if cluster_id is not None]
            fresh = itertools.count(max(used, default=0) + 1)
            memory = _Memory(
                clusterer=self._make_clusterer(),
                cursor_epoch=cursor.epoch,
                last_article_id=cursor.last_article_id,
                last_correction_id=last_correction_id,
            )
            empty = [story_id for story_id, _ in stories if story_id not in members]
            Story.objects.filter(pk__in=empty).update(closed=True, closed_at=timezone.now())
            for story_id, cluster_id in stories:
                if story_id not in members:
                    continue
                if cluster_id is None:  # opened by an editor; the clusterer never saw it
                    cluster_id = next(fresh)
                    Story.objects.filter(pk=story_id).update(cluster_id=cluster_id)
                memory.bind(cluster_id, story_id)
            # Articles editors moved apart, both still in open stories: the clusterer keeps them
            # apart only while it knows.
            open_articles = {a.pk for arts in members.values() for a in arts}
            apart = [
                (a, b)
                for a, b in LabelledPair.objects.filter(same_story=False).values_list(
                    "article_a_id", "article_b_id"
                )
                if a in open_articles and b in open_articles
            ]
        for cluster_id, story_id in memory.story_of_cluster.items():
            records = [article_in(article) for article in members[story_id]]
            memory.clusterer.restore(cluster_id, records)
            memory.clock = max([memory.clock, *(r.published for r in records if r.published)])
        for a, b in apart:
            memory.clusterer.cannot_link(str(a), str(b))
        return memory

    def _catch_up(self, memory: _Memory) -> bool:
        """Applies the corrections made since ``memory`` last looked; False: restore instead."""
        corrections = StoryCorrection.objects.filter(
            id__gt=memory.last_correction_id
        ).select_related("story", "other_story")
        for correction in corrections.order_by("id"):
            if not self._apply(memory, correction):
                return False
            memory.last_correction_id = correction.id
        return True

    def _apply(self, memory: _Memory, correction: StoryCorrection) -> bool:
        known = memory.cluster_of_story
        if correction.kind == CorrectionKind.MERGE:
            keep, absorb = correction.story_id, correction.other_story_id
            if keep in known and absorb in known:
                memory.clusterer.merge(known[keep], known[absorb])
                memory.forget(known[absorb])
                return True
            # Two stories the clusterer had both let go of stay out of it; anything else (a
            # closed story reopened by the merge) needs the articles it lacks.
            return keep not in known and absorb not in known and correction.story.closed
        if correction.story_id in known:
            assert correction.article_id is not None
            cluster_id = memory.clusterer.detach(str(correction.article_id))
            memory.bind(cluster_id, correction.other_story_id)
            memory.unsaved_cluster_ids[correction.other_story_id] = cluster_id
            return True
        return correction.other_story.closed

    def _write(
        self,
        memory: _Memory,
        batch: Sequence[Article],
        assignments: Sequence[Assignment],
        closed: Sequence[int],
        now: datetime,
    ) -> None:
        for story_id, cluster_id in memory.unsaved_cluster_ids.items():
            Story.objects.filter(pk=story_id).update(cluster_id=cluster_id)
        memory.unsaved_cluster_ids.clear()

        opened = [
            (assignment.story_id, article)
            for article, assignment in zip(batch, assignments, strict=True)
            if assignment.created
        ]
        new_stories = Story.objects.bulk_create(
            Story(
                cluster_id=cluster_id,
                headline=article.title,
                first_seen_at=seen_at(article.published_at, article.fetched_at),
                last_seen_at=seen_at(article.published_at, article.fetched_at),
            )
            for cluster_id, article in opened
        )
        for (cluster_id, _), story in zip(opened, new_stories, strict=True):
            memory.bind(cluster_id, story.pk)

        target = []
        for assignment in assignments:
            story_id = memory.story_of_cluster.get(assignment.story_id)
            if story_id is None:
                raise _Stale  # the clusterer names a story this process does not know
            target.append(story_id)
        outlets: dict[int, set[int]] = defaultdict(set)
        for story_id, outlet_id in StoryArticle.objects.filter(
            story_id__in=set(target)
        ).values_list("story_id", "article__outlet_id"):
            outlets[story_id].add(outlet_id)
        StoryArticle.objects.bulk_create(
            StoryArticle(story_id=story_id, article=article, score=assignment.score)
            for story_id, article, assignment in zip(target, batch, assignments, strict=True)
        )
        updates: list[tuple[int, Article]] = []
        for story_id, article in zip(target, batch, strict=True):
            if outlets[story_id] and article.outlet_id not in outlets[story_id]:
                updates.append((story_id, article))
            outlets[story_id].add(article.outlet_id)

        closed_ids = [memory.story_of_cluster[c] for c in closed if c in memory.story_of_cluster]
        Story.objects.filter(pk__in=closed_ids).update(closed=True, closed_at=now)
        for cluster_id in closed:
            memory.forget(cluster_id)
        stories = recompute_coverage(target)
        for story_id, article in updates:
            story = stories[story_id]
            transaction.on_commit(
                lambda story=story, article=article: story_updated.send(
                    Story, story=story, article=article
                )
            )


# The process's own worker: the job registered in apps.py runs it.
_worker = ClusteringWorker()


def cluster_new_articles(now: datetime) -> int:
    """Assigns articles that arrived since the last run to stories, in arrival order."""
    return _worker.run(now)


# --- Editors' corrections ----------------------------------------------------------------------


def _label_pairs(
    correction: StoryCorrection, pairs: Iterable[tuple[int, int]], *, same: bool
) -> None:
    for a, b in itertools.islice(pairs, MAX_PAIRS_PER_CORRECTION):
        low, high = min(a, b), max(a, b)
        LabelledPair.objects.update_or_create(
            article_a_id=low,
            article_b_id=high,
            defaults={"same_story": same, "correction": correction},
        )


def _article_ids(story: Story) -> list[int]:
    return list(story.memberships.order_by("article_id").values_list("article_id", flat=True))


@transaction.atomic
def merge_stories(keep: Story, absorb: Story, editor: Any = None) -> StoryCorrection:
    """Moves every article of ``absorb`` into ``keep``; ``absorb`` is closed and points to it.

    Each cross pair of their articles is labelled "same story". The merged story is open if either
    was. ``editor`` is the user who asked (or None).
    """
    _lock_cursor()
    keep, absorb = (Story.objects.select_for_update().get(pk=s.pk) for s in (keep, absorb))
    if keep.pk == absorb.pk:
        raise InvalidCorrection("A story cannot be merged into itself.")
    if keep.merged_into_id or absorb.merged_into_id:
        raise InvalidCorrection("That story was already merged into another one.")
    now = timezone.now()
    kept_articles, absorbed_articles = _article_ids(keep), _article_ids(absorb)
    StoryArticle.objects.filter(story=absorb).update(story=keep)
    if keep.closed and not absorb.closed:
        # Reopened: the clusterer learns of it on restore, under a new id.
        keep.closed, keep.closed_at, keep.cluster_id = False, None, None
        keep.save(update_fields=["closed", "closed_at", "cluster_id"])
    absorb.closed, absorb.merged_into = True, keep
    absorb.closed_at = absorb.closed_at or now
    absorb.save(update_fields=["closed", "closed_at", "merged_into"])
    correction = StoryCorrection.objects.create(
        kind=CorrectionKind.MERGE, story=keep, other_story=absorb, editor=editor, made_at=now
    )
    _label_pairs(correction, itertools.product(kept_articles, absorbed_articles), same=True)
    recompute_coverage([keep.pk, absorb.pk])
    return correction


@transaction.atomic
def move_article_out(article: Article, editor: Any = None) -> Story:
    """Takes ``article`` out of its story into a new story of its own, and returns that story.

    The article is labelled "different story" against each article it leaves. The new story is
    open if the old one was.
    """
    _lock_cursor()
    membership = (
        StoryArticle.objects.select_for_update()
        .select_related("story")
        .filter(article_id=article.pk)
        .first()
    )
    if membership is None:
        raise ArticleNotInStory(f"Article {article.pk} is in no story yet.")
    old = membership.story
    others = [a for a in _article_ids(old) if a != article.pk]
    if not others:
        raise InvalidCorrection("The article is already its story's only one.")
    now = timezone.now()
    when = seen_at(article.published_at, article.fetched_at)
    new = Story.objects.create(
        headline=article.title,
        first_seen_at=when,
        last_seen_at=when,
        closed=old.closed,
        closed_at=now if old.closed else None,
    )
    membership.story = new
    membership.score = 0.0
    membership.save(update_fields=["story", "score"])
    correction = StoryCorrection.objects.create(
        kind=CorrectionKind.MOVE_OUT,
        story=old,
        other_story=new,
        article=article,
        editor=editor,
        made_at=now,
    )
    _label_pairs(correction, ((article.pk, other) for other in others), same=False)
    recompute_coverage([old.pk, new.pk])
    new.refresh_from_db()
    return new


# --- Training data out -------------------------------------------------------------------------


def _article_record(article: Article) -> dict[str, Any]:
    record = article_in(article)
    return {
        "id": record.id,
        "title": record.title,
        "text": record.text,
        "lang": record.language,
        "published": record.published.isoformat() if record.published else None,
        "source": article.outlet.name,
    }


def labelled_pairs() -> Iterator[dict[str, Any]]:
    """Every labelled pair, oldest correction first, as plain dicts ready for JSON.

    ``{"a": article, "b": article, "same_story": bool, "correction": "merge" | "move-out",
    "made_at": ISO time}``, each article with the fields of the labelled JSON-lines files
    (id, title, text, lang, published, source).
    """
    pairs = LabelledPair.objects.select_related(
        "article_a__outlet", "article_b__outlet", "correction"
    ).order_by("correction_id", "article_a_id", "article_b_id")
    for pair in pairs.iterator(chunk_size=500):
        yield {
            "a": _article_record(pair.article_a),
            "b": _article_record(pair.article_b),
            "same_story": pair.same_story,
            "correction": pair.correction.kind,
            "made_at": pair.correction.made_at.isoformat(),
        }
