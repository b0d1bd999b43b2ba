"""Which scorer this installation clusters with, and the sentence encoder it needs.

The shipped scorer weighs sentence embeddings (``adapters.sentence_encoder``); when the encoder's
weights are not installed, or ``DATELINE_STORY_ENCODER`` is ``none``, stories are clustered with
the lexical model alone and a warning says so once. Everything that clusters (the worker, `dateline
stories eval` and `top`, the benchmark) gets its clusterer and prepared articles from here, so they
all run the same pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from dateline.core.config import Config
from dateline.stories.domain.clusterer import ClustererConfig, PreparedArticle, StoryClusterer
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

    def clusterer(self, config: ClustererConfig | None = None) -> StoryClusterer:
        return StoryClusterer(config, self.model)

    def prepare(self, articles: Sequence[ArticleIn]) -> list[PreparedArticle]:
        """Articles ready for ``clusterer().add``, embedded in one batch when the model needs it."""
        return prepare_all(articles, self.embed)


def lexical_setup() -> ClusteringSetup:
    return ClusteringSetup(default_model(lexical=True), None)


@cache
def clustering_setup() -> ClusteringSetup:
    """The best pipeline this installation can run, built once per process."""
    return build_clustering_setup()


def build_clustering_setup(config: Config | None = None) -> ClusteringSetup:
    """The best pipeline that ``config`` (by default the environment) allows, built afresh."""
    from dateline.stories.adapters.sentence_encoder import encoder_wanted, load_encoder

    if not encoder_wanted(config):
        return lexical_setup()
    try:
        encoder = load_encoder(config=config)
    except EncoderUnavailable as why:
        log.warning("stories are clustered without sentence embeddings: %s", why)
        return lexical_setup()
    return ClusteringSetup(default_model(lexical=False), encoder.encode, str(encoder.model_dir))
