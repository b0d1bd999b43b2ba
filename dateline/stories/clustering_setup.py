"""Which scorer this installation clusters with, and the sentence encoder it needs.

The shipped scorer weighs sentence embeddings (``adapters.sentence_encoder``); when the encoder's
weights are not installed, or ``DATELINE_STORY_ENCODER`` is ``none``, stories are clustered with
the lexical model alone and a warning says so once. Either way, articles are compared across
languages with the multilingual headline encoder (``adapters.multilingual_encoder``) when it
loads (decision 0098). Everything that clusters (the worker, `dateline
stories eval` and `top`, the benchmark) gets its clusterer and prepared articles from here, so they
all run the same pipeline.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

from dateline.core.config import (
    Config,
    story_close_after_articles,
    story_close_after_days,
    story_merge_minutes,
)
from dateline.stories.domain.clusterer import ClustererConfig, PreparedArticle, StoryClusterer
from dateline.stories.domain.cross_language import CrossLanguageIndex, HeadlineEncoder
from dateline.stories.domain.evaluation import Embedder, prepare_all
from dateline.stories.domain.records import ArticleIn
from dateline.stories.domain.scorer import ScorerModel, default_model
from dateline.stories.exceptions import EncoderUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ClusteringSetup:
    model: ScorerModel
    # None: the lexical model, no embeddings.
    embed: Embedder | None
    # Where the encoder's weights came from, for logs and `--json` output.
    encoder: str | None = None
    # How many floats each embedding has; the worker checks stored vectors against it.
    dimensions: int | None = None
    # The clusterer's settings this installation chose (DATELINE_STORY_CLOSE_AFTER_*).
    cluster_config: ClustererConfig = field(default_factory=ClustererConfig)
    # How often the periodic pass runs (DATELINE_STORY_MERGE_MINUTES); None: never.
    merge_every: timedelta | None = timedelta(minutes=10)
    # The multilingual headline encoder for candidates across languages (cross_language);
    # None: articles are compared within their language only.
    headlines: HeadlineEncoder | None = None

    def encoder_name(self) -> str | None:
        """A short name for the encoder's weights, stored with each vector: vectors from other
        weights (an upgraded package, another folder) are computed again. None when lexical."""
        if self.embed is None:
            return None
        return _weights_name(self.encoder or "")

    def clusterer(self, config: ClustererConfig | None = None) -> StoryClusterer:
        cross = None if self.headlines is None else CrossLanguageIndex(self.headlines)
        return StoryClusterer(config or self.cluster_config, self.model, cross)

    def prepare(self, articles: Sequence[ArticleIn]) -> list[PreparedArticle]:
        """Articles ready for ``clusterer().add``, embedded in one batch when the model needs it."""
        return prepare_all(articles, self.embed)


def lexical_setup(config: Config | None = None) -> ClusteringSetup:
    config = config or Config()
    return ClusteringSetup(
        default_model(lexical=True),
        None,
        cluster_config=_cluster_config(config),
        merge_every=_merge_every(config),
        headlines=_headline_encoder(),
    )


@cache
def _headline_encoder() -> HeadlineEncoder | None:
    """The multilingual encoder's ``encode`` (loaded once per process), or None with a warning."""
    from dateline.stories.adapters.multilingual_encoder import load_multilingual_encoder

    try:
        return load_multilingual_encoder().encode
    except EncoderUnavailable as why:
        log.warning("stories are not compared across languages: %s", why)
        return None


def _cluster_config(config: Config) -> ClustererConfig:
    return ClustererConfig(
        close_after=timedelta(days=story_close_after_days(config)),
        close_after_articles=story_close_after_articles(config),
    )


def _merge_every(config: Config) -> timedelta | None:
    minutes = story_merge_minutes(config)
    return timedelta(minutes=minutes) if minutes else None


@cache
def clustering_setup() -> ClusteringSetup:
    """The best pipeline this installation can run, built once per process."""
    return build_clustering_setup()


def build_clustering_setup(config: Config | None = None) -> ClusteringSetup:
    """The best pipeline that ``config`` (by default the environment) allows, built afresh."""
    from dateline.stories.adapters.sentence_encoder import encoder_wanted, load_encoder

    config = config or Config()
    if not encoder_wanted(config):
        return lexical_setup(config)
    try:
        encoder = load_encoder(config=config)
    except EncoderUnavailable as why:
        log.warning("stories are clustered without sentence embeddings: %s", why)
        return lexical_setup(config)
    return ClusteringSetup(
        default_model(lexical=False),
        encoder.encode,
        str(encoder.model_dir),
        encoder.dimensions,
        _cluster_config(config),
        _merge_every(config),
        _headline_encoder(),
    )


# The files whose bytes decide what the encoder answers.
_WEIGHT_FILES = ("model.safetensors", "vocab.txt")


@cache
def _weights_name(where: str) -> str:
    """``sha256:`` and the start of a digest of the weights and vocabulary in folder ``where``;
    ``where`` itself (cut to fit) when it is not such a folder."""
    folder = Path(where)
    if not where or not all((folder / name).is_file() for name in _WEIGHT_FILES):
        return (where or "unnamed encoder")[-64:]
    digest = hashlib.sha256()
    for name in _WEIGHT_FILES:
        with (folder / name).open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return f"sha256:{digest.hexdigest()[:32]}"
