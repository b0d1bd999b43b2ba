"""Sentence embeddings kept in the database, so a restarted worker need not encode them again.

A vector is stored as its float32 values, little-endian, one after another, with the name of the
weights that computed it (``ClusteringSetup.encoder_name``). One that cannot be read back as a
vector of the expected size from the same weights (cut short, another encoder's, not finite) is
treated as missing: the worker computes it again and overwrites it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dateline.stories.domain.clusterer import Embedding, Vector
from dateline.stories.models import ArticleEmbedding

_FLOAT32 = np.dtype("<f4")


def vector_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype=_FLOAT32).tobytes()


def vector_from_bytes(raw: bytes, dimensions: int) -> Embedding | None:
    """The vector in ``raw``, or None when it is not ``dimensions`` finite float32 values."""
    if len(raw) != dimensions * _FLOAT32.itemsize:
        return None
    vector = np.frombuffer(raw, dtype=_FLOAT32)
    if not np.isfinite(vector).all():
        return None
    return vector


def open_story_vectors(encoder: str, dimensions: int) -> dict[str, Embedding]:
    """The usable stored vectors of the articles in open stories, by article id (one query)."""
    rows = ArticleEmbedding.objects.filter(
        article__membership__story__closed=False, encoder=encoder
    ).values_list("article_id", "vector")
    out: dict[str, Embedding] = {}
    for article_id, raw in rows:
        vector = vector_from_bytes(bytes(raw), dimensions)
        if vector is not None:
            out[str(article_id)] = vector
    return out


def save_vectors(vectors: Mapping[int, Vector], encoder: str) -> None:
    """Stores each article's vector, replacing what was stored for it."""
    ArticleEmbedding.objects.bulk_create(
        [
            ArticleEmbedding(article_id=article_id, vector=vector_bytes(vector), encoder=encoder)
            for article_id, vector in vectors.items()
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["vector", "encoder"],
    )
