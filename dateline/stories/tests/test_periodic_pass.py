"""The worker's periodic pass: automatic merges of fragments, recorded, undoable, never training
data, and never against an editor's correction."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from dateline.core.config import Config
from dateline.stories import services
from dateline.stories.clustering_setup import lexical_setup
from dateline.stories.domain.clusterer import ClustererConfig, StoryClusterer
from dateline.stories.exceptions import InvalidCorrection
from dateline.stories.models import (
    CorrectionKind,
    LabelledPair,
    Story,
    StoryArticle,
    StoryCorrection,
)
from dateline.stories.signals import stories_merged, story_updated

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EVERY = timedelta(minutes=10)
SETUP = replace(lexical_setup(Config({})), merge_every=EVERY)


def fragmenting_worker() -> services.ClusteringWorker:
    """A worker whose clusterer never joins on arrival: only the pass brings articles together."""
    return services.ClusteringWorker(
        SETUP, make_clusterer=lambda: StoryClusterer(ClustererConfig(max_candidates=0), SETUP.model)
    )


def run_until_done(worker: services.ClusteringWorker, now: datetime) -> None:
    while worker.run(now):
        pass


def story_of(article) -> Story:
    return StoryArticle.objects.select_related("story").get(article=article).story


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("ed", password="a long desk password")


@pytest.fixture
def merged_fragments(wire, django_capture_on_commit_callbacks):
    """Two quake reports in two fragments and a strike, then the pass, one cadence later."""
    a, b, c = (wire.outlet(name) for name in "ABC")
    quakes = [wire.article(a, "quake", hours=0), wire.article(b, "quake", hours=1)]
    strike = wire.article(c, "strike", hours=2)
    worker = fragmenting_worker()
    heard = []

    def listen(sender, keep, absorbed, **kwargs):
        heard.append((keep.pk, absorbed.pk))

    stories_merged.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_until_done(worker, NOW)
            assert story_of(quakes[0]) != story_of(quakes[1])  # not due yet: still fragments
            run_until_done(worker, NOW + EVERY)
    finally:
        stories_merged.disconnect(listen)
    return worker, quakes, strike, heard


def test_the_pass_merges_fragments_as_an_automatic_merge(wire, merged_fragments):
    worker, quakes, strike, heard = merged_fragments
    keep = story_of(quakes[0])
    assert story_of(quakes[1]) == keep and not keep.closed
    assert (keep.article_count, keep.outlet_count) == (2, 2)
    assert story_of(strike) != keep
    merge = StoryCorrection.objects.get()
    assert (merge.kind, merge.automatic, merge.editor) == (CorrectionKind.MERGE, True, None)
    assert merge.story == keep and merge.other_story.merged_into == keep
    assert heard == [(keep.pk, merge.other_story_id)]
    # The worker made the merge itself: it carries on without rebuilding its clusterer, and a
    # later report (a fragment on arrival) joins the merged story at the next pass.
    late = wire.article(strike.outlet, "quake", hours=3)
    run_until_done(worker, NOW + 3 * EVERY)
    assert worker.restores == 1
    assert story_of(late) == keep


def test_an_automatic_merge_is_no_training_data(merged_fragments, editor, tmp_path):
    assert not LabelledPair.objects.exists()
    target = tmp_path / "pairs.jsonl"
    call_command("stories", "export-pairs", "--output", str(target))
    assert target.read_text() == ""


def test_an_editor_undoes_an_automatic_merge_and_the_pass_leaves_it_undone(
    merged_fragments, editor, tmp_path
):
    worker, quakes, _, _ = merged_fragments
    merge = StoryCorrection.objects.get()
    restored = services.undo_automatic_merge(merge, editor)

    assert restored == merge.other_story and not restored.closed and restored.merged_into is None
    assert story_of(quakes[0]) != story_of(quakes[1])
    assert {story_of(q).article_count for q in quakes} == {1}
    merge.refresh_from_db()
    assert merge.undone_at is not None
    with pytest.raises(InvalidCorrection):
        services.undo_automatic_merge(merge, editor)
    # The editor's word is training data: the two reports are different stories.
    (pair,) = LabelledPair.objects.all()
    assert not pair.same_story and pair.correction.kind == CorrectionKind.UNMERGE
    target = tmp_path / "pairs.jsonl"
    call_command("stories", "export-pairs", "--output", str(target))
    (row,) = [json.loads(line) for line in target.read_text().splitlines()]
    assert row["correction"] == "unmerge" and row["same_story"] is False

    # Later passes (after the rebuild the undo asks for) never merge them again.
    run_until_done(worker, NOW + 3 * EVERY)
    run_until_done(worker, NOW + 5 * EVERY)
    assert story_of(quakes[0]) != story_of(quakes[1])
    assert StoryCorrection.objects.filter(kind=CorrectionKind.MERGE).count() == 1


def test_the_pass_never_merges_back_an_article_an_editor_moved_out(wire, editor):
    a, b, c = (wire.outlet(name) for name in "ABC")
    kept = [wire.article(a, "quake", hours=0), wire.article(b, "quake", hours=1)]
    moved = wire.article(c, "quake", hours=2)
    worker = services.ClusteringWorker(SETUP)
    run_until_done(worker, NOW)
    assert story_of(moved) == story_of(kept[0])
    alone = services.move_article_out(moved, editor)
    for step in range(1, 4):
        run_until_done(worker, NOW + step * EVERY)
    assert story_of(moved) == alone and story_of(kept[0]) != alone
    assert not StoryCorrection.objects.filter(automatic=True).exists()


def test_a_follow_up_reopens_a_story_closed_meanwhile_and_tells_listeners(
    wire, django_capture_on_commit_callbacks
):
    a, b = wire.outlet("A"), wire.outlet("B")
    first = wire.article(a, "quake", hours=0)
    worker = services.ClusteringWorker(SETUP)
    run_until_done(worker, NOW)
    story = story_of(first)
    # Closed in the database (an operator, another worker's close) while this worker holds it.
    Story.objects.filter(pk=story.pk).update(closed=True, closed_at=NOW)
    heard = []

    def listen(sender, story, article, **kwargs):
        heard.append((story.pk, article.pk))

    follow_up = wire.article(b, "quake", hours=3)
    story_updated.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_until_done(worker, NOW + timedelta(minutes=1))
    finally:
        story_updated.disconnect(listen)
    story.refresh_from_db()
    assert story_of(follow_up) == story
    assert not story.closed and story.closed_at is None
    assert heard == [(story.pk, follow_up.pk)]


def test_an_automatic_merge_takes_no_editor(merged_fragments, editor):
    _, _, strike, _ = merged_fragments
    other = Story.objects.exclude(pk=story_of(strike).pk).filter(merged_into=None).first()
    with pytest.raises(InvalidCorrection):
        services.merge_stories(story_of(strike), other, editor, automatic=True)
