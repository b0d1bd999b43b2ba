"""The sentence encoder's speed: `python bench/sentence_encoder.py [--json]`.

Encodes the first 1,000 neus-dev texts (headline then lead, as the clusterer embeds them) with the
shipped cut of 64 tokens, then with 128 tokens (the peer: what a longer cut would cost), in the
same run, batched as the clusterer's callers batch them. `BENCH_TEXTS` changes the count. The
load average is printed beside the figures: the machine is shared, and the encoder is CPU-bound.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dateline.stories.adapters.sentence_encoder import MAX_TOKENS, load_encoder  # noqa: E402
from dateline.stories.domain.evaluation import embedding_text, read_labelled  # noqa: E402

NEUS = REPO / "../shared/data/clustering/neus-dev.jsonl"
TEXTS = int(os.environ.get("BENCH_TEXTS", "1000"))
LONGER = 128


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    options = parser.parse_args()
    if not NEUS.exists():
        print(f"skipping: {NEUS} is missing", file=sys.stderr)
        return 0
    with NEUS.open(encoding="utf-8") as handle:
        texts = [embedding_text(row.article) for row in read_labelled(handle)][:TEXTS]
    started = time.perf_counter()
    encoder = load_encoder()
    result: dict[str, object] = {
        "texts": len(texts),
        "cpus": os.cpu_count(),
        "load_seconds": time.perf_counter() - started,
    }
    rates: dict[int, float] = {}
    for tokens in (MAX_TOKENS, LONGER):
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        encoder.encode(texts, max_tokens=tokens)
        rates[tokens] = len(texts) / (time.perf_counter() - started)
        result[f"texts_per_s_at_{tokens}"] = rates[tokens]
        result[f"load_average_at_{tokens}"] = [load_before, os.getloadavg()[0]]
    result[f"slowdown_at_{LONGER}"] = rates[MAX_TOKENS] / rates[LONGER]
    print(f"encoder: {result}")
    if options.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
