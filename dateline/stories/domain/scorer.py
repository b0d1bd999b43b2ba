"""The learned part: how likely an article belongs to a candidate story, from a few features.

A logistic regression over lexical and entity features (``LEXICAL_FEATURES``) and, when a sentence
encoder is installed, embedding similarities (``EMBEDDING_FEATURES``), trained by
``scripts/train_story_scorer.py`` on neus-dev's ``train`` split only. Two models ship:
``model/story_scorer.json`` (both kinds of feature) and ``model/story_scorer_lexical.json`` (the
fallback without an encoder). Time and outlet evidence cannot be learned from that corpus (it has
neither), so they enter as fixed priors on the log-odds (``ClustererConfig``), not as weights.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

# The order of the model's weights. No feature depends on a story's size: the training corpus has
# three articles a story, and a size weight learned there would stop real stories from growing.
LEXICAL_FEATURES: tuple[str, ...] = (
    "cos_centroid",  # article (headline + lead) against the story's centroid
    "cos_best_member",  # article against its closest member
    "cos_title_best_member",  # headline against the closest member's headline
    "cos_title_centroid",  # headline alone against the story's centroid
    "entity_containment",  # share of the article's entity weight the story also names
    "entity_jaccard",  # weighted overlap of article and story entity sets
    "no_entities",  # 1.0 when either side names no entity (the overlaps then say nothing)
    "cos_best_x_entity",  # interaction: words and names agree
    "shared_idf",  # log(1 + summed rarity of the terms article and story share)
    "shared_title_idf",  # the same for the headline's terms only
    "max_shared_rarity",  # the rarest shared term's idf over the largest idf possible now
    "rare_shared",  # log(1 + shared terms at least half as rare as the rarest possible)
    "margin",  # cos_best_member minus the best other candidate's (how clear the choice is)
)
# With a sentence encoder (stories.adapters.sentence_encoder) the model also weighs meaning.
EMBEDDING_FEATURES: tuple[str, ...] = (
    "emb_cos_centroid",  # the article's embedding against the mean of the story's
    "emb_cos_best_member",  # against its closest member's
    "emb_margin",  # emb_cos_best_member minus the best other candidate's
)
# What the clusterer computes for each candidate, in this order (the embedding part only when
# articles bring embeddings). A model weighs any subset of these, named in its file, so a model
# trained before a feature was added still loads and scores as it did.
ALL_FEATURES: tuple[str, ...] = LEXICAL_FEATURES + EMBEDDING_FEATURES


@dataclass(frozen=True, slots=True)
class ScorerModel:
    weights: tuple[float, ...]
    bias: float
    # Join the best candidate only when its probability reaches this.
    threshold: float
    # The background document frequencies shipped with the model.
    background_df: Mapping[str, int]
    background_documents: int
    note: str = ""
    features: tuple[str, ...] = LEXICAL_FEATURES
    # Where each weighed feature sits in the clusterer's vector (ALL_FEATURES order).
    positions: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [name for name in self.features if name not in ALL_FEATURES]
        if unknown:
            raise ValueError(f"the scorer cannot compute the features {unknown}")
        if len(self.weights) != len(self.features):
            raise ValueError(
                f"the model has {len(self.weights)} weights for {len(self.features)} features"
            )
        object.__setattr__(
            self, "positions", tuple(ALL_FEATURES.index(name) for name in self.features)
        )

    @property
    def uses_embeddings(self) -> bool:
        """True when the model weighs sentence embeddings (every article must bring one)."""
        return any(name in EMBEDDING_FEATURES for name in self.features)

    def logit(self, features: Sequence[float]) -> float:
        """The log-odds from the clusterer's full feature vector (ALL_FEATURES order)."""
        return self.bias + sum(
            w * features[i] for w, i in zip(self.weights, self.positions, strict=True)
        )


def probability(logit: float) -> float:
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    e = math.exp(logit)
    return e / (1.0 + e)


def model_from_json(data: Mapping[str, Any], background: Mapping[str, Any]) -> ScorerModel:
    names = tuple(str(name) for name in data["features"])
    return ScorerModel(
        weights=tuple(float(w) for w in data["weights"]),
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        background_df={str(k): int(v) for k, v in background["df"].items()},
        background_documents=int(background["documents"]),
        note=str(data.get("note", "")),
        features=names,
    )


_PACKAGE = "dateline.stories.domain"


def load_model(directory: Path | None = None, *, lexical: bool = False) -> ScorerModel:
    """A shipped model, or the one in ``directory`` (its scorer file + background_df.json).

    ``lexical`` picks the model that needs no sentence encoder.
    """
    name = "story_scorer_lexical.json" if lexical else "story_scorer.json"
    if directory is None:
        folder = resources.files(_PACKAGE).joinpath("model")
        scorer_text = folder.joinpath(name).read_text(encoding="utf-8")
        background_text = folder.joinpath("background_df.json").read_text(encoding="utf-8")
    else:
        scorer_text = (directory / name).read_text(encoding="utf-8")
        background_text = (directory / "background_df.json").read_text(encoding="utf-8")
    return model_from_json(json.loads(scorer_text), json.loads(background_text))


_LOADED: dict[bool, ScorerModel] = {}


def default_model(*, lexical: bool = True) -> ScorerModel:
    """A shipped model, read once per process; by default the one that needs no encoder (the
    clusterer alone is pure: ``stories.clustering_setup`` picks the encoder's model when the
    encoder is installed)."""
    if lexical not in _LOADED:
        _LOADED[lexical] = load_model(lexical=lexical)
    return _LOADED[lexical]
