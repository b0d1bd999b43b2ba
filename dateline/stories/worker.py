"""The clustering job: one in-memory clusterer per process, fed the wire in arrival order.

Each worker process keeps one in-memory clusterer (dateline.stories.domain.clusterer). It is built
from the open stories' articles when the process first clusters, and again whenever the database
has moved on without it (another worker moved the cursor, or a correction could not be applied
to it in place). New articles are fed to it in arrival (id) order; what it answers is written in
the transaction that moves the cursor, after checking that nobody wrote in between, so a killed
worker neither loses nor repeats an article (decision 0025). Editors' corrections made since it
last looked are applied to it before it clusters again (decision 0026).

With the sentence encoder installed (``clustering_setup``), each batch's articles are encoded in
one call before the write transaction, and their vectors are stored with the batch's assignments
(``embedding_store``), so a rebuild encodes only what it cannot read back. What it must encode
(the first rebuild after installing the encoder: every open article) it encodes a chunk at a
time, storing each chunk and renewing its claim, so no lease runs out and nothing is encoded twice.
"""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dateline.core import claims
from dateline.stories import embedding_store
from dateline.stories.article_records import article_in, seen_at
from dateline.stories.clustering_setup import ClusteringSetup, clustering_setup
from dateline.stories.corrections import merge_stories
from dateline.stories.coverage import recompute_coverage
from dateline.stories.cursor import CURSOR, latest_correction_id, lock_cursor
from dateline.stories.domain.clusterer import (
    REPLAY_BATCH,
    Embedding,
    PreparedArticle,
    StoryClusterer,
    Vector,
    prepare,
)
from dateline.stories.domain.evaluation import embedding_text
from dateline.stories.domain.records import ArticleIn, Assignment
from dateline.stories.models import (
    ClusteringCursor,
    CorrectionKind,
    LabelledPair,
    Story,
    StoryArticle,
    StoryCorrection,
)
from dateline.stories.signals import send_to_every_receiver, story_updated
from dateline.wire.models import Article

BATCH = REPLAY_BATCH
LEASE = timedelta(minutes=5)
# A rebuild encodes missing vectors this many at a time (about ten seconds at ~50 texts a second
# on two cores), storing each chunk and renewing the claim after it.
RESTORE_CHUNK = 500


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
    # When (the ``now`` of a run) the periodic pass last ran; None: not yet in this memory.
    last_pass: datetime | None = None

    def bind(self, cluster_id: int, story_id: int) -> None:
        self.story_of_cluster[cluster_id] = story_id
        self.cluster_of_story[story_id] = cluster_id

    def forget(self, cluster_id: int) -> None:
        story_id = self.story_of_cluster.pop(cluster_id, None)
        if story_id is not None:
            self.cluster_of_story.pop(story_id, None)


def _lock_cursor_unchanged_since(memory: _Memory) -> ClusteringCursor:
    """Locks the cursor for this transaction; raises _Stale when another worker or an editor's
    correction has moved the database on since ``memory`` was built from it."""
    cursor = lock_cursor()
    if (cursor.epoch, cursor.last_article_id) != (
        memory.cursor_epoch,
        memory.last_article_id,
    ) or latest_correction_id() != memory.last_correction_id:
        raise _Stale
    return cursor


class _Stale(Exception):
    """The database moved on while this process clustered: its memory must be rebuilt."""


class ClusteringWorker:
    """One process's share of the clustering job: its clusterer and what it knows of the database.

    ``setup`` is the pipeline (scorer model and sentence encoder) it clusters with: the
    installation's, ``clustering_setup()``, unless given; it is looked up on the first run, so
    merely importing the job loads no encoder. ``make_clusterer`` builds an empty clusterer
    (``setup.clusterer()`` by default; its model must use embeddings exactly when ``setup`` has
    an encoder). ``batch`` is how many articles one run clusters and writes in one transaction.
    """

    def __init__(
        self,
        setup: ClusteringSetup | None = None,
        *,
        make_clusterer: Callable[[], StoryClusterer] | None = None,
        batch: int = BATCH,
    ) -> None:
        self._setup = setup
        self._make_clusterer = make_clusterer
        self._batch = batch
        self._memory: _Memory | None = None
        # How many times this process rebuilt its clusterer from the database.
        self.restores = 0

    @property
    def setup(self) -> ClusteringSetup:
        if self._setup is None:
            self._setup = clustering_setup()
        if self._setup.embed is not None and self._setup.dimensions is None:
            raise ValueError("a clustering setup with an encoder must give its dimensions")
        return self._setup

    def _new_clusterer(self) -> StoryClusterer:
        setup = self.setup
        clusterer = self._make_clusterer() if self._make_clusterer else setup.clusterer()
        if clusterer.model.uses_embeddings != (setup.embed is not None):
            raise ValueError("the clusterer's model and the setup disagree on sentence embeddings")
        return clusterer

    def run(self, now: datetime) -> int:
        """Clusters one batch of new articles; returns how many (0: nothing to do, or busy)."""
        ClusteringCursor.objects.get_or_create(pk=CURSOR)
        if not claims.claim(ClusteringCursor.objects.filter(pk=CURSOR), lease=LEASE, limit=1):
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
            or (memory.last_correction_id != latest_correction_id() and not self._catch_up(memory))
        ):
            memory = self._restore()
        self._memory = memory

        batch = list(
            Article.objects.filter(id__gt=memory.last_article_id)
            .select_related("outlet")
            .order_by("id")[: self._batch]
        )
        # One encoder call for the whole batch, before the write transaction: the wire and the
        # desk never wait on it.
        prepared = self.setup.prepare([article_in(article) for article in batch]) if batch else []
        assignments, closed = [], []
        for item in prepared:
            record = item.article
            # Stories close by the wire's clock (the latest article's time), not the wall's: a
            # quiet wire, or a backlog being caught up, never closes a story the next articles
            # continue. They close before the article that moves the clock on is matched.
            if record.published and record.published > memory.clock:
                memory.clock = record.published
                closed += memory.clusterer.close_idle(memory.clock)
            assignments.append(memory.clusterer.add(item))
        if not batch and not closed and not memory.unsaved_cluster_ids:
            return self._consolidate(memory, now)
        try:
            with transaction.atomic():
                cursor = _lock_cursor_unchanged_since(memory)
                self._write(memory, batch, assignments, closed, now)
                self._save_vectors(prepared)
                if batch:
                    cursor.last_article_id = batch[-1].id
                    cursor.save(update_fields=["last_article_id"])
        except _Stale:
            # A correction (or another worker) came in while this batch was clustered: drop it
            # and start again from the database next time.
            self._memory = None
            return max(len(batch), 1)
        memory.last_article_id = cursor.last_article_id
        merged = self._consolidate(memory, now)
        return len(batch) or len(closed) or merged

    def _consolidate(self, memory: _Memory, now: datetime) -> int:
        """The periodic pass, when due: merges of open stories that only now look like one,
        written as automatic merges (``merge_stories``); returns how many."""
        every = self.setup.merge_every
        if every is None:
            return 0
        if memory.last_pass is None:
            memory.last_pass = now  # the first pass comes one cadence after the memory was built
        if now - memory.last_pass < every:
            return 0
        memory.last_pass = now
        plan = memory.clusterer.consolidate()
        if not plan:
            return 0
        try:
            with transaction.atomic():
                _lock_cursor_unchanged_since(memory)
                for merge in plan:
                    keep = memory.story_of_cluster.get(merge.keep)
                    absorb = memory.story_of_cluster.get(merge.absorb)
                    if keep is None or absorb is None:
                        raise _Stale
                    merge_stories(
                        Story.objects.get(pk=keep), Story.objects.get(pk=absorb), automatic=True
                    )
                    memory.forget(merge.absorb)
                # The clusterer made these merges itself: they are not to be applied again.
                memory.last_correction_id = latest_correction_id()
        except _Stale:
            # The database moved on (an editor's correction): the merges in memory were never
            # written; the next run rebuilds from the database, and the pass runs again later.
            self._memory = None
        return len(plan)

    def _restore(self) -> _Memory:
        """Builds a clusterer from the open stories' articles, under the ids they had."""
        self.restores += 1
        with transaction.atomic():
            cursor = lock_cursor()  # corrections wait: the snapshot below is consistent
            last_correction_id = latest_correction_id()
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
                clusterer=self._new_clusterer(),
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
            stored = self._stored_vectors()
        records = {
            story_id: [article_in(article) for article in members[story_id]]
            for story_id in memory.story_of_cluster.values()
        }
        vectors = self._restored_vectors([r for story in records.values() for r in story], stored)
        for cluster_id, story_id in memory.story_of_cluster.items():
            story = records[story_id]
            memory.clusterer.restore(cluster_id, [prepare(r, vectors.get(r.id)) for r in story])
            memory.clock = max([memory.clock, *(r.published for r in story if r.published)])
        for a, b in apart:
            memory.clusterer.cannot_link(str(a), str(b))
        return memory

    def _stored_vectors(self) -> dict[str, Embedding]:
        """The open stories' articles' vectors the database holds from this setup's encoder."""
        setup = self.setup
        name = setup.encoder_name()
        if name is None or setup.dimensions is None:
            return {}
        return embedding_store.open_story_vectors(name, setup.dimensions)

    def _restored_vectors(
        self, records: Sequence[ArticleIn], stored: Mapping[str, Embedding]
    ) -> Mapping[str, Vector]:
        """Every record's vector: the stored one, else computed now, RESTORE_CHUNK at a time.

        Each chunk is stored as soon as it is computed (a vector depends on its article alone,
        so it may be written before the clusterer has used it) and the claim is renewed: a
        rebuild that must encode thousands of articles outlasts no lease, and one killed part
        way keeps what it encoded.
        """
        setup = self.setup
        embed, name = setup.embed, setup.encoder_name()
        missing = [record for record in records if record.id not in stored]
        if embed is None or not missing:
            return stored
        vectors: dict[str, Vector] = dict(stored)
        for start in range(0, len(missing), RESTORE_CHUNK):
            chunk = missing[start : start + RESTORE_CHUNK]
            computed = embed([embedding_text(record) for record in chunk])
            pairs = list(zip(chunk, computed, strict=True))
            vectors.update((record.id, vector) for record, vector in pairs)
            if name is not None:
                embedding_store.save_vectors({int(r.id): v for r, v in pairs}, name)
            self._renew_claim()
        return vectors

    def _renew_claim(self) -> None:
        claims.renew(ClusteringCursor, [CURSOR], lease=LEASE)

    def _save_vectors(self, prepared: Sequence[PreparedArticle]) -> None:
        name = self.setup.encoder_name()
        if name is None:
            return
        vectors = {
            int(item.article.id): item.embedding for item in prepared if item.embedding is not None
        }
        embedding_store.save_vectors(vectors, name)

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
        if correction.kind == CorrectionKind.UNMERGE:
            # Articles went back to a story the clusterer let go of: rebuild from the database
            # (which also reads the pairs the editor labelled apart).
            return False
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
        # A follow-up that joins a story closed in the database (closed there while the clusterer
        # still held it) reopens it, as a merge into a closed story does.
        Story.objects.filter(pk__in=set(target), closed=True).update(closed=False, closed_at=None)
        StoryArticle.objects.bulk_create(
            StoryArticle(
                story_id=story_id,
                article=article,
                score=assignment.score,
                reason=assignment.reason.as_json() if assignment.reason else {},
            )
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
                lambda story=story, article=article: send_to_every_receiver(
                    story_updated, Story, story=story, article=article
                )
            )
