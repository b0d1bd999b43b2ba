"""A scorer model weighs any subset of the features the clusterer computes, by name."""

from __future__ import annotations

import pytest

from dateline.stories.domain.scorer import ALL_FEATURES, EMBEDDING_FEATURES, ScorerModel


def model(features: tuple[str, ...], weights: tuple[float, ...]) -> ScorerModel:
    return ScorerModel(weights, -1.0, 0.5, {}, 1, features=features)


def test_a_model_weighs_its_own_features_wherever_they_sit_in_the_clusterers_vector() -> None:
    vector = tuple(float(i) for i in range(len(ALL_FEATURES)))
    subset = model(("emb_margin", "margin"), (2.0, 10.0))
    expected = -1.0 + 2.0 * ALL_FEATURES.index("emb_margin") + 10.0 * ALL_FEATURES.index("margin")
    assert subset.logit(vector) == expected
    assert subset.uses_embeddings
    assert not model(("margin",), (1.0,)).uses_embeddings
    assert model(EMBEDDING_FEATURES[:1], (1.0,)).uses_embeddings


def test_a_model_naming_a_feature_the_clusterer_cannot_compute_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot compute"):
        model(("margin", "horoscope_match"), (1.0, 1.0))
    with pytest.raises(ValueError, match="2 weights for 1 features"):
        model(("margin",), (1.0, 1.0))
