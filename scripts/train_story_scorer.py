"""Train the story scorer shipped in dateline/stories/domain/model/ on neus-dev's train split ONLY.

    .venv/bin/python scripts/train_story_scorer.py [../shared/data/clustering/neus-dev.jsonl]

1. background_df.json: document frequencies of the train split's terms (df >= 2 only, to stay
   small), the background the clusterer starts from.
2. story_scorer.json: a logistic regression over ``scorer.PAIR_FEATURES``. Training pairs come
   from replaying the train split through the clusterer with the gold decision forced (each
   article joins its gold story), recording every retrieved candidate story with label "is its
   gold story". To see the statistics a live stream sees, the split is cut in two halves by
   story: each half is replayed with the other half's frequencies as its background.
3. The join threshold: the real clusterer (its own decisions) replays each half at a grid of
   thresholds; the lowest threshold whose B-cubed precision stays at or above PRECISION_FLOOR on
   both halves is kept (precision first). The val split is never read.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from dateline.stories.domain.clusterer import Candidate, ClustererConfig, StoryClusterer, prepare
from dateline.stories.domain.evaluation import LabelledArticle, evaluate, read_labelled
from dateline.stories.domain.scorer import PAIR_FEATURES, ScorerModel

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "../shared/data/clustering/neus-dev.jsonl"
MODEL_DIR = Path(__file__).resolve().parents[1] / "dateline/stories/domain/model"
PRECISION_FLOOR = 0.93
L2 = 1e-3
SEED = 5


def background(rows: Sequence[LabelledArticle], min_df: int = 1) -> tuple[dict[str, int], int]:
    df: Counter[str] = Counter()
    for row in rows:
        terms = prepare(row.article).terms
        df.update(set(terms.title) | set(terms.lead) | terms.entities)
    return {t: n for t, n in df.items() if n >= min_df}, len(rows)


def untrained(df: dict[str, int], documents: int, threshold: float = 0.5) -> ScorerModel:
    return ScorerModel(
        weights=tuple(0.0 for _ in PAIR_FEATURES),
        bias=0.0,
        threshold=threshold,
        background_df=df,
        background_documents=documents,
    )


def gold_pairs(
    rows: Sequence[LabelledArticle], model: ScorerModel
) -> list[tuple[tuple[float, ...], int]]:
    """(features, label) of every candidate retrieved while replaying with gold decisions."""
    clusterer = StoryClusterer(ClustererConfig(), model)
    story_of_gold: dict[str, int] = {}
    pairs: list[tuple[tuple[float, ...], int]] = []
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    for index in order:
        row = rows[index]
        target = story_of_gold.get(row.gold)

        def choose(candidates: Sequence[Candidate], target: int | None = target) -> int | None:
            for candidate in candidates:
                pairs.append((candidate.features, int(candidate.story_id == target)))
            return target

        assignment = clusterer.add_decided(row.article, choose)
        story_of_gold[row.gold] = assignment.story_id
    return pairs


def fit_logistic(pairs: Sequence[tuple[tuple[float, ...], int]]) -> tuple[list[float], float]:
    """L2-regularised logistic regression by Newton's method (a handful of features)."""
    k = len(PAIR_FEATURES) + 1
    beta = [0.0] * k
    for _ in range(30):
        gradient = [0.0] * k
        hessian = [[0.0] * k for _ in range(k)]
        for features, label in pairs:
            x = (*features, 1.0)
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
            w = p * (1.0 - p)
            for i in range(k):
                gradient[i] += (p - label) * x[i]
                row = hessian[i]
                wi = w * x[i]
                for j in range(i, k):
                    row[j] += wi * x[j]
        n = len(pairs)
        for i in range(k):
            for j in range(i):
                hessian[i][j] = hessian[j][i]
            gradient[i] = gradient[i] / n + (L2 * beta[i] if i < k - 1 else 0.0)
            for j in range(k):
                hessian[i][j] /= n
            hessian[i][i] += L2 if i < k - 1 else 1e-9
        step = solve(hessian, gradient)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return beta[:-1], beta[-1]


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the system is tiny)."""
    n = len(vector)
    a = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[col][col]:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if json.loads(line).get("split") == "train"]
    train = read_labelled(lines)
    stories = sorted({row.gold for row in train})
    random.Random(SEED).shuffle(stories)
    first = set(stories[: len(stories) // 2])
    halves = [
        [row for row in train if row.gold in first],
        [row for row in train if row.gold not in first],
    ]
    backgrounds = [background(halves[1]), background(halves[0])]

    pairs: list[tuple[tuple[float, ...], int]] = []
    for half, (df, documents) in zip(halves, backgrounds, strict=True):
        pairs += gold_pairs(half, untrained(df, documents))
    positives = sum(label for _, label in pairs)
    print(f"{len(pairs)} candidate pairs, {positives} positive", file=sys.stderr)
    weights, bias = fit_logistic(pairs)
    print(dict(zip(PAIR_FEATURES, (round(w, 3) for w in weights), strict=True)), bias)

    chosen = 0.5
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        results = []
        for half, (df, documents) in zip(halves, backgrounds, strict=True):
            model = ScorerModel(tuple(weights), bias, threshold, df, documents)
            results.append(evaluate(half, lambda model=model: StoryClusterer(model=model)))
        line = " ".join(
            f"P={r.bcubed.p:.3f} R={r.bcubed.r:.3f} F1={r.bcubed.f1:.3f}" for r in results
        )
        print(f"threshold {threshold}: {line}", file=sys.stderr)
        if all(r.bcubed.p >= PRECISION_FLOOR for r in results):
            chosen = threshold
            break

    df, documents = background(train, min_df=2)
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    (MODEL_DIR / "background_df.json").write_text(
        json.dumps({"documents": documents, "df": dict(sorted(df.items()))}, separators=(",", ":")),
        encoding="utf-8",
    )
    note = (
        "Logistic regression trained by scripts/train_story_scorer.py on neus-dev's train split "
        f"only ({len(train)} articles, {len(pairs)} candidate pairs from gold-forced replays of "
        f"two halves); threshold {chosen}: the lowest keeping B-cubed precision >= "
        f"{PRECISION_FLOOR} on both halves."
    )
    (MODEL_DIR / "story_scorer.json").write_text(
        json.dumps(
            {
                "features": list(PAIR_FEATURES),
                "weights": [round(w, 6) for w in weights],
                "bias": round(bias, 6),
                "threshold": chosen,
                "note": note,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
