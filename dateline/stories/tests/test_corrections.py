"""Editors' corrections stick: later arrivals, restarts and concurrent batches never undo them."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dateline.core.config import Config
from dateline.core.markup_text import markup_text
from dateline.stories import services
from dateline.stories.clustering_setup import build_clustering_setup, clustering_setup
from dateline.stories.domain.clusterer import PreparedArticle, StoryClusterer
from dateline.stories.domain.records import ArticleIn, Assignment
from dateline.stories.exceptions import ArticleNotInStory, InvalidCorrection
from dateline.stories.models import CorrectionKind, LabelledPair, Story, StoryArticle
from dateline.wire.models import Article

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def run_until_done(worker: services.ClusteringWorker) -> None:
    while worker.run(NOW):
        pass


def story_of(article) -> Story:
    return StoryArticle.objects.select_related("story").get(article=article).story


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("ed", password="a long desk password")


@pytest.mark.parametrize("restarted", [False, True], ids=["same-worker", "restarted-worker"])
def test_a_merge_holds_against_later_arrivals(wire, editor, restarted):
    a, b, c, d = (wire.outlet(name) for name in "ABCD")
    quake = wire.article(a, "quake", hours=0)
    wire.article(b, "quake", hours=1)
    strike = wire.article(c, "strike", hours=2)
    worker = services.ClusteringWorker()
    run_until_done(worker)
    keep, absorb = story_of(quake), story_of(strike)
    assert keep != absorb  # the clusterer kept them apart; the editor knows better

    correction = services.merge_stories(keep, absorb, editor)
    assert correction.kind == CorrectionKind.MERGE and correction.editor == editor
    absorb.refresh_from_db()
    keep.refresh_from_db()
    assert absorb.closed and absorb.merged_into == keep and absorb.article_count == 0
    assert (keep.article_count, keep.outlet_count) == (3, 3)

    # More reports of the absorbed story's event arrive: they join the merged story.
    if restarted:
        worker = services.ClusteringWorker()
    late = wire.article(d, "strike", hours=3)
    run_until_done(worker)
    assert story_of(late) == keep
    assert list(Story.objects.open()) == [keep]
    assert not StoryArticle.objects.filter(story=absorb).exists()
    # The running worker applied the merge in place; a restarted one rebuilt once.
    assert worker.restores == 1


@pytest.mark.parametrize("restarted", [False, True], ids=["same-worker", "restarted-worker"])
def test_an_article_moved_out_stays_out(wire, editor, restarted):
    a, b, c, d = (wire.outlet(name) for name in "ABCD")
    kept = [wire.article(a, "quake", hours=0), wire.article(b, "quake", hours=1)]
    wrong = wire.article(c, "quake", hours=2)
    worker = services.ClusteringWorker()
    run_until_done(worker)
    old = story_of(wrong)
    assert story_of(kept[0]) == old

    new = services.move_article_out(wrong, editor)
    assert story_of(wrong) == new and not new.closed
    assert new.first_article == wrong and new.article_count == 1
    old.refresh_from_db()
    assert old.article_count == 2 and old.outlet_count == 2

    if restarted:
        worker = services.ClusteringWorker()
    late = [wire.article(d, "quake", hours=3), wire.article(a, "strike", hours=4)]
    run_until_done(worker)
    assert story_of(wrong) == new
    assert wrong.pk not in set(old.memberships.values_list("article_id", flat=True))
    assert story_of(late[0]) in (old, new)
    new.refresh_from_db()
    assert new.cluster_id is not None  # the worker told its clusterer about the new story
    assert worker.restores == 1


class EditorActsMidBatch(StoryClusterer):
    """Stands for an editor who merges two stories while the worker clusters a batch."""

    def __init__(self, on_article: int, merge: list[tuple[Story, Story]]) -> None:
        super().__init__(model=clustering_setup().model)
        self.on_article, self.merges = str(on_article), merge

    def add(self, article: ArticleIn | PreparedArticle) -> Assignment:
        record = article.article if isinstance(article, PreparedArticle) else article
        if record.id == self.on_article and self.merges:
            services.merge_stories(*self.merges.pop())  # once, whichever clusterer meets it
        return super().add(article)


def test_a_batch_clustered_while_an_editor_corrects_is_redone_not_written(wire):
    a, b = wire.outlet("A"), wire.outlet("B")
    quake = wire.article(a, "quake", hours=0)
    strike = wire.article(b, "strike", hours=1)
    run_until_done(services.ClusteringWorker())
    keep, absorb = story_of(quake), story_of(strike)
    arrivals = [wire.article(b, "quake", hours=2), wire.article(a, "strike", hours=3)]
    pending = [(keep, absorb)]

    worker = services.ClusteringWorker(
        make_clusterer=lambda: EditorActsMidBatch(arrivals[0].pk, pending)
    )
    assert worker.run(NOW) > 0  # it clustered the batch, found the merge, and wrote nothing
    assert StoryArticle.objects.count() == 2
    run_until_done(worker)  # rebuilt from the database, merge included
    assert worker.restores == 2
    assert {story_of(article) for article in arrivals} == {keep}
    assert StoryArticle.objects.count() == 4


def test_merging_into_a_closed_story_reopens_it_for_the_clusterer(wire):
    outlet = wire.outlet("A")
    old = wire.article(outlet, "quake", hours=0)
    # Stories close by the days alone here, however few articles follow.
    worker = services.ClusteringWorker(
        build_clustering_setup(Config({"DATELINE_STORY_CLOSE_AFTER_ARTICLES": "0"}))
    )
    run_until_done(worker)
    fresh = wire.article(outlet, "vote", hours=24 * 10)  # ten days on: the quake story closes
    run_until_done(worker)
    closed, current = story_of(old), story_of(fresh)
    assert closed.closed and not current.closed

    services.merge_stories(closed, current)
    closed.refresh_from_db()
    assert not closed.closed and closed.cluster_id is None
    late = wire.article(outlet, "vote", hours=24 * 10 + 1)
    run_until_done(worker)
    assert story_of(late) == closed
    closed.refresh_from_db()
    assert closed.cluster_id is not None and worker.restores == 2


def test_corrections_that_make_no_sense_are_refused_and_change_nothing(wire):
    outlet = wire.outlet("A")
    first, second = wire.article(outlet, "quake"), wire.article(outlet, "strike", hours=1)
    unclustered = wire.article(outlet, "vote", hours=2)
    run_until_done(services.ClusteringWorker(batch=2))
    one, two = story_of(first), story_of(second)
    with pytest.raises(InvalidCorrection):
        services.merge_stories(one, one)
    with pytest.raises(InvalidCorrection):
        services.move_article_out(first)  # alone in its story already
    services.merge_stories(one, two)
    with pytest.raises(InvalidCorrection):
        services.merge_stories(one, two)  # already merged
    StoryArticle.objects.filter(article=unclustered).delete()
    with pytest.raises(ArticleNotInStory):
        services.move_article_out(unclustered)
    assert LabelledPair.objects.count() == 1
    assert story_of(first) == story_of(second) == one


def test_corrections_are_kept_as_labelled_pairs_and_exported(wire, editor, tmp_path):
    a, b, c = wire.outlet("A"), wire.outlet("B"), wire.outlet("C")
    quakes = [wire.article(a, "quake"), wire.article(b, "quake", hours=1)]
    strike = wire.article(c, "strike", hours=2)
    run_until_done(services.ClusteringWorker())
    services.merge_stories(story_of(quakes[0]), story_of(strike), editor)
    services.move_article_out(quakes[1], editor)

    pairs = {(p.article_a_id, p.article_b_id): p.same_story for p in LabelledPair.objects.all()}
    q0, q1, s = quakes[0].pk, quakes[1].pk, strike.pk
    # The merge said q0~s and q1~s; the move-out then said q1 is apart from q0 and from s.
    assert pairs == {(q0, s): True, (min(q1, s), max(q1, s)): False, (q0, q1): False}

    target = tmp_path / "pairs.jsonl"
    call_command("stories", "export-pairs", "--output", str(target))
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(rows) == 3
    by_ids = {(int(r["a"]["id"]), int(r["b"]["id"])): r for r in rows}
    assert by_ids[(q0, s)]["same_story"] is True
    assert by_ids[(q0, s)]["correction"] == "merge"
    assert by_ids[(q0, q1)] == {
        "a": {
            "id": str(q0),
            "title": quakes[0].title,
            "text": markup_text(quakes[0].summary),
            "lang": "en",
            "published": quakes[0].published_at.isoformat(),
            "source": "A",
        },
        "b": by_ids[(q0, q1)]["b"],
        "same_story": False,
        "correction": "move-out",
        "made_at": by_ids[(q0, q1)]["made_at"],
        # Why the clusterer had placed each when the editor corrected it: q1 had joined q0.
        "why_a": StoryArticle.objects.get(article=quakes[0]).reason,
        "why_b": by_ids[(q0, q1)]["why_b"],
    }
    assert by_ids[(q0, q1)]["why_a"]["kind"] == "new"
    assert by_ids[(q0, q1)]["why_b"]["kind"] == "joined"
    assert by_ids[(q0, q1)]["why_b"]["matched_article"] == str(q0)
    # The merge's pair: each had opened its own story.
    assert by_ids[(q0, s)]["why_b"]["kind"] == "new"
    assert datetime.fromisoformat(by_ids[(q0, q1)]["made_at"]) > NOW - timedelta(days=1)


def story_of_size(wire, name: str, size: int) -> Story:
    outlet = wire.outlet(name)
    story = Story.objects.create(headline=name, first_seen_at=NOW, last_seen_at=NOW)
    articles = Article.objects.bulk_create(
        Article(outlet=outlet, guid=f"{name}-{n}", url=f"https://{name}.example/{n}", title=name)
        for n in range(size)
    )
    StoryArticle.objects.bulk_create(StoryArticle(story=story, article=a) for a in articles)
    return story


def test_a_large_merge_labels_hundreds_of_pairs_a_statement(wire, django_assert_max_num_queries):
    # 60 x 60 articles: 3600 pairs. Two queries per pair held the cursor's lock, which the
    # clustering worker waits on, for seconds (over thirty on PostgreSQL at the cap).
    keep, absorb = story_of_size(wire, "keep", 60), story_of_size(wire, "absorb", 60)
    with django_assert_max_num_queries(60):
        services.merge_stories(keep, absorb)
    assert LabelledPair.objects.filter(same_story=True).count() == 60 * 60

    # A later correction relabels the pairs it touches, and only those.
    moved = StoryArticle.objects.filter(story=keep).order_by("article_id").last().article
    services.move_article_out(moved)
    apart = LabelledPair.objects.filter(same_story=False)
    assert apart.count() == 119
    assert all(moved.pk in (a, b) for a, b in apart.values_list("article_a", "article_b"))
    assert LabelledPair.objects.count() == 60 * 60 + 59
