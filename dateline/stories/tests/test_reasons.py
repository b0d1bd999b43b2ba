"""Why each article is in its story: kept with its membership by the clustering job, told in plain
words, and handed on with an editor's correction into the training pairs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dateline.stories import services
from dateline.stories.clustering_setup import lexical_setup
from dateline.stories.domain.clusterer import StoryClusterer
from dateline.stories.domain.records import ArticleIn, AssignmentReason, ReasonKind
from dateline.stories.domain.why import describe
from dateline.stories.models import StoryArticle, StoryCorrection

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

QUAKE = ArticleIn(
    "1",
    "Magnitude 7.1 earthquake strikes Hokkaido, tsunami warning issued",
    "A powerful earthquake shook Hokkaido on Friday; a tsunami warning was issued for Kushiro.",
)
QUAKE_AGAIN = ArticleIn(
    "2",
    "Hokkaido earthquake: tsunami warning for Kushiro after magnitude 7.1 quake",
    "Japan issued a tsunami warning for Kushiro after a magnitude 7.1 earthquake hit Hokkaido.",
)
STRIKE = ArticleIn(
    "3",
    "Dock workers strike shuts Rotterdam container port",
    "Dockers walked out in Rotterdam, halting container traffic at Europe's largest port.",
)


def test_a_join_names_its_score_the_member_it_matched_and_what_they_share() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(QUAKE)
    joined = clusterer.add(QUAKE_AGAIN)
    alone = clusterer.add(STRIKE)

    assert first.reason == AssignmentReason(ReasonKind.NEW, 0.0, None, (), "en")
    assert joined.reason is not None and joined.reason.kind is ReasonKind.JOINED
    assert joined.reason.score == pytest.approx(joined.score)
    assert joined.reason.matched_article == "1"
    assert {"hokkaido", "kushiro", "7.1"} <= set(joined.reason.shared)
    text = describe(joined.reason, QUAKE.title)
    assert text.startswith(f"joined: {joined.score:.2f} with \u2018Magnitude 7.1 earthquake")
    assert "shared: " in text and "hokkaido" in text
    # The first had no story to compare with; the strike shares one word ("strike") with the quake.
    assert describe(first.reason) == "new: no open story shared its rare words"
    assert alone.reason is not None and alone.reason.kind is ReasonKind.NEW
    assert describe(alone.reason, QUAKE_AGAIN.title).startswith("new: best candidate 0.0")


def test_a_new_story_names_its_best_candidate_and_how_far_it_fell_short() -> None:
    clusterer = StoryClusterer()
    clusterer.add(QUAKE)
    # Same place, another event: a candidate, below the threshold.
    other = clusterer.add(
        ArticleIn(
            "9", "Hokkaido farmers fear a poor potato harvest", "Kushiro farms had a dry May."
        )
    )
    assert other.created and other.reason is not None
    assert other.reason.kind is ReasonKind.NEW and other.reason.matched_article == "1"
    assert 0.0 < other.reason.score < clusterer.model.threshold
    assert describe(other.reason, QUAKE.title).startswith(
        f"new: best candidate {other.reason.score:.2f} \u2018Magnitude"
    )


def test_a_stored_reason_reads_back_and_anything_else_reads_as_none() -> None:
    reason = AssignmentReason(ReasonKind.JOINED, 0.8234567, "12", ("turkey", "quake"), None)
    again = AssignmentReason.from_json(reason.as_json())
    assert again == AssignmentReason(ReasonKind.JOINED, 0.8235, "12", ("turkey", "quake"), None)
    for broken in ({}, [], None, {"kind": "nonsense"}, {"kind": "joined", "score": "high"}):
        assert AssignmentReason.from_json(broken) is None


@pytest.mark.django_db
def test_the_job_keeps_the_reason_the_desk_words_it_and_a_correction_hands_it_on(wire):
    a, b, c = (wire.outlet(name) for name in "ABC")
    first = wire.article(a, "quake", hours=0)
    second = wire.article(b, "quake", hours=1)
    wire.article(c, "strike", hours=2)
    worker = services.ClusteringWorker(lexical_setup())
    while worker.run(NOW):
        pass

    membership = StoryArticle.objects.get(article=second)
    assert membership.reason["kind"] == "joined"
    assert membership.reason["matched_article"] == str(first.pk)
    assert "hokkaido" in membership.reason["shared"]
    assert membership.reason["language"] == "en"  # the outlet's language
    why = services.why_in_story(membership.story_id)
    assert why[second.pk].startswith(f"joined: {membership.score:.2f} with \u2018{first.title}")
    assert why[first.pk] == "new: no open story shared its rare words"

    story = services.move_article_out(second)
    correction = StoryCorrection.objects.get()
    assert correction.context[str(second.pk)] == membership.reason
    assert StoryArticle.objects.get(article=second).reason["kind"] == "editor"
    assert services.why_in_story(story.pk) == {second.pk: "moved here by an editor"}
    (pair,) = services.labelled_pairs()
    assert pair["same_story"] is False
    assert pair["why_b"] == membership.reason  # the moved article has the higher id
    assert pair["why_a"]["kind"] == "new"
