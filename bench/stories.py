"""Story clustering speed and memory: `python bench/stories.py [--json]`.

(a) End to end over 5,000 neus-dev articles in the backtest's replay order, with the pipeline
    this installation runs (``clustering_setup()``: the sentence encoder over headline and lead,
    reading words, weighting, retrieval, the learned scorer; the encoder's one-off loading of its
    weights is reported apart), then the lexical pipeline alone, then a single-pass TF-IDF
    centroid clusterer (the issue's peer, written here), all on the same articles in the same
    run. B-cubed scores are printed for orientation only (the peer's threshold is a fixed guess).
(b) Assignment alone, words and embeddings made beforehand, with the model that weighs
    embeddings, over a synthetic stream of 200,000 articles across 60 days (stories of 1-12
    articles spread over up to three days, names drawn per story, common words from a Zipf
    vocabulary, and a random unit direction per story that each member's embedding scatters
    around): time per article around 10,000 and around 200,000 articles, and the process's
    resident memory at several points while stories close.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from dateline.stories.clustering_setup import (  # noqa: E402
    ClusteringSetup,
    clustering_setup,
    lexical_setup,
)
from dateline.stories.domain.clusterer import (  # noqa: E402
    ClustererConfig,
    PreparedArticle,
    StoryClusterer,
    prepare,
    replay,
)
from dateline.stories.domain.evaluation import (  # noqa: E402
    bcubed,
    embedding_text,
    read_labelled,
    replay_order,
)
from dateline.stories.domain.records import ArticleIn  # noqa: E402
from dateline.stories.domain.scorer import default_model  # noqa: E402
from dateline.stories.domain.text_features import ArticleTerms, article_terms  # noqa: E402

NEUS = REPO / "../shared/data/clustering/neus-dev.jsonl"
END_TO_END_ARTICLES = 5_000
STREAM_ARTICLES = int(os.environ.get("BENCH_STREAM", "200000"))
STREAM_DAYS = 60
# The encoder's width, and how far a member's embedding strays from its story's direction: noise
# of about this norm puts members near cosine 0.8 to the direction and 0.65 to each other.
EMBEDDING_DIMENSIONS = 384
EMBEDDING_NOISE = 0.7


class CentroidBaseline:
    """Single pass: TF-IDF (headline counted twice, idf from what was seen), cosine to centroids."""

    def __init__(self, threshold: float = 0.3) -> None:
        self.threshold = threshold
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.centroids: list[dict[str, float]] = []
        # term -> centroids holding it, so the peer is not quadratic either.
        self.index: dict[str, set[int]] = {}

    def add(self, article: ArticleIn) -> int:
        terms = article_terms(article.title, article.text)
        counts = terms.lead + terms.title + terms.title
        self.documents += 1
        self.df.update(counts.keys())
        vector = {
            t: (1 + math.log(n)) * math.log((self.documents + 1) / (self.df[t] + 1)) + 1e-9
            for t, n in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vector = {t: w / norm for t, w in vector.items()}
        best, best_score = -1, 0.0
        strongest = sorted(vector, key=lambda t: -vector[t])[:10]
        candidates = set().union(*(self.index.get(t, ()) for t in strongest))
        for index in candidates:
            centroid = self.centroids[index]
            score = sum(w * centroid.get(t, 0.0) for t, w in vector.items())
            if score > best_score:
                best, best_score = index, score
        if best < 0 or best_score < self.threshold:
            self.centroids.append(vector)
            best = len(self.centroids) - 1
            for t in strongest:
                self.index.setdefault(t, set()).add(best)
            return best
        centroid = self.centroids[best]
        for t, w in vector.items():
            centroid[t] = centroid.get(t, 0.0) + w
        norm = math.sqrt(sum(w * w for w in centroid.values()))
        self.centroids[best] = {t: w / norm for t, w in centroid.items()}
        for t in strongest:
            self.index.setdefault(t, set()).add(best)
        return best


def end_to_end() -> dict[str, object]:
    with NEUS.open(encoding="utf-8") as handle:
        rows = read_labelled(handle)
    order = replay_order([row.article.published for row in rows])[:END_TO_END_ARTICLES]
    articles = [rows[i].article for i in order]
    gold = {rows[i].article.id: rows[i].gold for i in order}

    started = time.perf_counter()
    setup = clustering_setup()
    load_seconds = time.perf_counter() - started
    ours, ours_seconds, embedding_seconds = run_pipeline(setup, articles)
    lexical, lexical_seconds, _ = run_pipeline(lexical_setup(), articles)

    started = time.perf_counter()
    baseline = CentroidBaseline()
    peer = {article.id: baseline.add(article) for article in articles}
    peer_seconds = time.perf_counter() - started
    ours_b3, lexical_b3, peer_b3 = bcubed(ours, gold), bcubed(lexical, gold), bcubed(peer, gold)
    return {
        "articles": len(articles),
        # The installed pipeline: the encoder's folder, or None when it runs on words alone.
        "encoder": setup.encoder,
        "encoder_load_seconds": load_seconds,
        "articles_per_s": len(articles) / ours_seconds,
        "embedding_seconds": embedding_seconds,
        "bcubed_f1": ours_b3.f1,
        "bcubed_p": ours_b3.p,
        "lexical_articles_per_s": len(articles) / lexical_seconds,
        "lexical_bcubed_f1": lexical_b3.f1,
        "lexical_bcubed_p": lexical_b3.p,
        "baseline_articles_per_s": len(articles) / peer_seconds,
        "baseline_bcubed_f1": peer_b3.f1,
        "baseline_bcubed_p": peer_b3.p,
    }


def run_pipeline(
    setup: ClusteringSetup, articles: list[ArticleIn]
) -> tuple[dict[str, int], float, float]:
    """Assignments, the seconds for all of it, and the seconds of those spent embedding."""
    started = time.perf_counter()
    vectors = setup.embed([embedding_text(a) for a in articles]) if setup.embed else None
    embedded = time.perf_counter()
    prepared = [
        prepare(article, None if vectors is None else vectors[i])
        for i, article in enumerate(articles)
    ]
    assignments = replay(setup.clusterer(), prepared)
    seconds = time.perf_counter() - started
    return {a.article_id: a.story_id for a in assignments}, seconds, embedded - started


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def synthetic_stream(seed: int = 7) -> Iterator[PreparedArticle]:
    """Yields (PreparedArticle) lazily, so the stream itself costs no memory."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(20_000)]
    cumulative = list(accumulate(1 / (i + 1) for i in range(len(vocabulary))))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=STREAM_DAYS) / STREAM_ARTICLES
    meanings = np.random.default_rng(seed)
    # (story number, its names, its direction, articles left, when it started)
    live: list[tuple[int, list[str], np.ndarray, int, datetime]] = []
    stories = 0
    for n in range(STREAM_ARTICLES):
        now = start + step * n
        if n % 500 == 0:
            live = [s for s in live if s[3] > 0 and now - s[4] < timedelta(days=3)]
        index = rng.randrange(len(live)) if live else -1
        if index < 0 or rng.random() < 0.15 or live[index][3] <= 0:
            stories += 1
            names = [f"s{stories}n{k}" for k in range(6)]
            live.append((stories, names, unit(meanings), rng.randint(1, 12), now))
            index = len(live) - 1
        number, names, direction, left, began = live[index]
        live[index] = (number, names, direction, left - 1, began)
        scattered = direction + EMBEDDING_NOISE * unit(meanings)
        # A tuple of floats, as the encoder hands it over.
        embedding = tuple(float(v) for v in scattered / np.linalg.norm(scattered))
        common = rng.choices(vocabulary, cum_weights=cumulative, k=18)
        title = Counter(rng.sample(names, 3) + common[:3])
        lead = Counter(rng.sample(names, 4) + common[3:])
        terms = ArticleTerms(title=title, lead=lead, entities=frozenset(rng.sample(names, 2)))
        article = ArticleIn(id=f"a{n}", title="", outlet=f"o{rng.randrange(40)}", published=now)
        yield PreparedArticle(article, terms, embedding)


def unit(rng: np.random.Generator) -> np.ndarray:
    """A random direction: uniform on the sphere."""
    vector = rng.standard_normal(EMBEDDING_DIMENSIONS)
    return vector / np.linalg.norm(vector)


def assignment_only() -> dict[str, object]:
    clusterer = StoryClusterer(
        ClustererConfig(close_after=timedelta(days=3)), default_model(lexical=False)
    )
    timings: dict[int, list[float]] = {10_000: [], STREAM_ARTICLES: []}
    rss: dict[str, float] = {}
    total = 0.0
    for n, prepared in enumerate(synthetic_stream(), start=1):
        started = time.perf_counter()
        clusterer.add(prepared)
        if n % 100 == 0:
            clusterer.close_idle(prepared.article.published)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        total += elapsed
        for mark, samples in timings.items():
            if mark - 5_000 < n <= mark:
                samples.append(elapsed)
        if n in (10_000, 25_000, 50_000, 100_000, 150_000, 200_000):
            rss[str(n)] = round(rss_mib(), 1)
    per_10k = sorted(timings[10_000])[len(timings[10_000]) // 2]
    per_200k = sorted(timings[STREAM_ARTICLES])[len(timings[STREAM_ARTICLES]) // 2]
    mean_10k = sum(timings[10_000]) / len(timings[10_000])
    mean_200k = sum(timings[STREAM_ARTICLES]) / len(timings[STREAM_ARTICLES])
    return {
        "articles": STREAM_ARTICLES,
        "median_us_at_10k": per_10k * 1e6,
        "median_us_at_200k": per_200k * 1e6,
        "mean_us_at_10k": mean_10k * 1e6,
        "mean_us_at_200k": mean_200k * 1e6,
        "ratio_200k_to_10k": mean_200k / mean_10k,
        "rss_mib": rss,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "open_stories_at_end": clusterer.open_stories,
        "open_articles_at_end": clusterer.open_articles,
        "seconds": total,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    options = parser.parse_args()
    result: dict[str, object] = {}
    if NEUS.exists():
        result["end_to_end"] = end_to_end()
    else:
        print(f"skipping (a): {NEUS} is missing", file=sys.stderr)
    result["assignment"] = assignment_only()
    for part, figures in result.items():
        print(f"{part}: {figures}")
    if options.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
