"""A floor under the clusterer's quality on neus-dev's val split (never used in training).

Measured when the shipped model was made: B-cubed P 0.976, R 0.638, F1 0.772. The floor sits a
little below so that a change that costs quality fails here, not in a backtest weeks later.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dateline.stories.domain.evaluation import evaluate, read_labelled

NEUS = Path(__file__).resolve().parents[3] / "../shared/data/clustering/neus-dev.jsonl"


@pytest.mark.skipif(not NEUS.exists(), reason="needs ../shared/data/clustering/neus-dev.jsonl")
def test_neus_val_quality_floor() -> None:
    with NEUS.open(encoding="utf-8") as handle:
        rows = read_labelled(line for line in handle if json.loads(line)["split"] == "val")
    result = evaluate(rows)
    assert result.articles == 819
    assert result.bcubed.p >= 0.95
    assert result.bcubed.f1 >= 0.75
