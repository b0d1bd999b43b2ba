"""The clusterer with the model that weighs sentence embeddings: what it asks of articles, the
embedding features it computes, and stories' embeddings after editors' corrections.

The embeddings here are made up (random unit directions), so each case controls exactly how alike
two articles "mean"; the lexical retrieval still has to find the story first.
"""

from __future__ import annotations

import numpy as np
import pytest

from dateline.stories.domain.clusterer import (
    ClustererConfig,
    PreparedArticle,
    StoryClusterer,
    prepare,
)
from dateline.stories.domain.records import ArticleIn
from dateline.stories.domain.scorer import EMBEDDING_FEATURES, LEXICAL_FEATURES, default_model

WITH_EMBEDDINGS = default_model(lexical=False)
FEATURE = {name: i for i, name in enumerate(LEXICAL_FEATURES + EMBEDDING_FEATURES)}
DIMENSIONS = 384

QUAKE = (
    "Magnitude 7.1 earthquake strikes Hokkaido near Kushiro",
    "A powerful earthquake shook Hokkaido on Friday and the agency warned of tsunami waves at "
    "Kushiro.",
)
STRIKE = (
    "Dockers strike shuts Rotterdam container terminals",
    "Dock workers walked out at dawn in Rotterdam, halting container traffic at the terminals.",
)


def direction(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIMENSIONS)
    return vector / np.linalg.norm(vector)


def article(
    article_id: str, words: tuple[str, str], embedding: np.ndarray | None
) -> PreparedArticle:
    title, text = words
    return prepare(
        ArticleIn(id=article_id, title=title, text=text),
        None if embedding is None else [float(v) for v in embedding],
    )


def clusterer(**config: object) -> StoryClusterer:
    return StoryClusterer(ClustererConfig(**config), WITH_EMBEDDINGS)  # type: ignore[arg-type]


def features(candidate_features: tuple[float, ...], *names: str) -> list[float]:
    return [candidate_features[FEATURE[name]] for name in names]


def test_the_model_refuses_an_article_without_an_embedding() -> None:
    assert WITH_EMBEDDINGS.uses_embeddings
    stories = clusterer()
    with pytest.raises(ValueError, match="a1 has no embedding"):
        stories.add(article("a1", QUAKE, None))
    with pytest.raises(ValueError, match="a2 has no embedding"):
        stories.add(ArticleIn(id="a2", title=QUAKE[0], text=QUAKE[1]))
    assert stories.open_articles == 0


def test_a_refused_article_leaves_no_trace_in_the_word_statistics() -> None:
    meaning = direction(5)
    refusing, untouched = clusterer(), clusterer()
    with pytest.raises(ValueError):
        refusing.add(article("a1", QUAKE, None))
    for stories in (refusing, untouched):
        stories.add(article("s1", STRIKE, direction(6)))
        stories.add(article("q1", QUAKE, meaning))
    probe = article("probe", QUAKE, meaning)
    assert [c.features for c in refusing.candidates(probe)] == [
        c.features for c in untouched.candidates(probe)
    ]


def test_an_identical_embedding_scores_one_and_an_orthogonal_one_zero() -> None:
    stories = clusterer()
    meaning = direction(1)
    story = stories.add(article("a1", QUAKE, meaning)).story_id
    (same,) = stories.candidates(article("probe-same", QUAKE, meaning))
    assert same.story_id == story
    centroid, best, margin = features(same.features, *EMBEDDING_FEATURES)
    assert centroid == pytest.approx(1.0, abs=1e-6)
    assert best == pytest.approx(1.0, abs=1e-6)
    assert margin == pytest.approx(1.0, abs=1e-6)  # the only candidate: its own value
    # The same words with a meaning at right angles: the lexical features are unchanged.
    other = direction(2)
    other = other - (other @ meaning) * meaning
    (orthogonal,) = stories.candidates(article("probe-other", QUAKE, other))
    assert features(orthogonal.features, "emb_cos_centroid", "emb_cos_best_member") == (
        pytest.approx([0.0, 0.0], abs=1e-6)
    )
    n = len(LEXICAL_FEATURES)
    assert orthogonal.features[:n] == pytest.approx(same.features[:n])
    assert orthogonal.logit < same.logit


def test_the_meaning_margin_is_against_the_best_other_candidate() -> None:
    # Two stories both found by words (the probe names the quake and the strike).
    stories = clusterer(join_probability=0.999999)
    quake_meaning, strike_meaning = direction(3), direction(4)
    quake = stories.add(article("q1", QUAKE, quake_meaning)).story_id
    strike = stories.add(article("s1", STRIKE, strike_meaning)).story_id
    assert quake != strike
    both = (QUAKE[0] + "; " + STRIKE[0], QUAKE[1] + " " + STRIKE[1])
    candidates = {c.story_id: c for c in stories.candidates(article("p", both, quake_meaning))}
    assert set(candidates) == {quake, strike}
    best_quake = features(candidates[quake].features, "emb_cos_best_member")[0]
    best_strike = features(candidates[strike].features, "emb_cos_best_member")[0]
    assert best_quake == pytest.approx(1.0, abs=1e-6)
    assert best_strike == pytest.approx(float(quake_meaning @ strike_meaning), abs=1e-5)
    assert features(candidates[quake].features, "emb_margin")[0] == pytest.approx(
        best_quake - best_strike, abs=1e-6
    )
    assert features(candidates[strike].features, "emb_margin")[0] == pytest.approx(
        best_strike - best_quake, abs=1e-6
    )


def quake_members(seed: int) -> list[PreparedArticle]:
    """Three quake reports with meanings close to one direction, each its own."""
    centre = direction(seed)
    out = []
    for i in range(3):
        noisy = centre + 0.6 * direction(seed + 100 + i)
        out.append(article(f"m{i}", QUAKE, noisy / np.linalg.norm(noisy)))
    return out


def embedding_features_of(
    stories: StoryClusterer, story: int, probe: PreparedArticle
) -> list[float]:
    (candidate,) = [c for c in stories.candidates(probe) if c.story_id == story]
    return features(candidate.features, "emb_cos_centroid", "emb_cos_best_member")


def fresh_story(members: list[PreparedArticle], probe: PreparedArticle) -> list[float]:
    stories = clusterer()
    ids = {stories.add(member).story_id for member in members}
    assert len(ids) == 1, "same words, close meanings: one story"
    return embedding_features_of(stories, ids.pop(), probe)


def test_after_a_detach_the_story_means_what_its_remaining_members_mean() -> None:
    members = quake_members(10)
    # The article an editor moves out means something else: the probe is closest to it.
    odd_meaning = direction(50)
    odd = article("odd", QUAKE, odd_meaning)
    probe = article("probe", QUAKE, odd_meaning)
    stories = clusterer(join_probability=1e-9)
    story = stories.add(members[0]).story_id
    for member in [members[1], odd, members[2]]:
        assert stories.add(member).story_id == story
    before = embedding_features_of(stories, story, probe)
    stories.detach("odd")
    after = embedding_features_of(stories, story, probe)
    assert before[1] == pytest.approx(1.0, abs=1e-6)  # the odd member was the closest
    assert after == pytest.approx(fresh_story(members, probe), abs=1e-5)
    assert after[1] < 0.5


def test_after_a_merge_the_story_means_what_all_its_members_mean() -> None:
    members = quake_members(20)
    probe = article("probe", QUAKE, np.asarray(members[2].embedding))
    # Refuse every join: each report opens a story of its own, and the editor merges them.
    stories = clusterer(join_probability=1 - 1e-12)
    story_ids = [stories.add(member).story_id for member in members]
    assert len(set(story_ids)) == 3
    stories.merge(story_ids[0], story_ids[1])
    stories.merge(story_ids[2], story_ids[0])
    assert sorted(stories.members(story_ids[2])) == ["m0", "m1", "m2"]
    merged = embedding_features_of(stories, story_ids[2], probe)
    assert merged == pytest.approx(fresh_story(members, probe), abs=1e-5)
    assert merged[1] == pytest.approx(1.0, abs=1e-6)  # the probe means what m2 means
    assert merged[0] < 0.99  # ... but the story's mean is all three
