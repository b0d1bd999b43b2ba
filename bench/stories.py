"""Story clustering speed and memory: `python bench/stories.py [--json]`.

(a) End to end on each dev file (neus-dev's val split, allsides-headline11-dev, ecbplus-dev),
    each shuffled with the issue's seed and replayed in `dateline stories eval`'s order: the
    pipeline this installation runs (``clustering_setup()``: the sentence encoder, reading words,
    the learned scorer, incremental assignment and the periodic pass at the worker's cadence on
    the articles' own times; the encoder's one-off loading is reported apart) beside the issue's
    plain peer (``PlainPeer``), in the same run: B-cubed P/R/F1, pairwise F1 and articles/s each.
(c) The long run: the first 5,000 articles of the whole of neus-dev in replay order, through the
    installed pipeline, the lexical one (no encoder) and the plain peer: articles/s of each, the
    seconds spent embedding, B-cubed F1 and P (the figures this bench has reported since issue #5,
    kept so runs stay comparable across stops; ``baseline_*`` is the plain peer).
(b) Assignment alone, words and embeddings made beforehand, with the model that weighs
    embeddings and the periodic pass once a worker batch, over a synthetic stream of 200,000
    articles across 60 days (stories of 1-12
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
import re
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
    REPLAY_BATCH,
    ClustererConfig,
    PreparedArticle,
    StoryClusterer,
    prepare,
    replay,
)
from dateline.stories.domain.evaluation import (  # noqa: E402
    LabelledArticle,
    bcubed,
    embedding_text,
    evaluate,
    pairwise,
    read_labelled,
    replay_order,
)
from dateline.stories.domain.records import ArticleIn  # noqa: E402
from dateline.stories.domain.scorer import default_model  # noqa: E402
from dateline.stories.domain.text_features import STOPWORDS, ArticleTerms  # noqa: E402

# The real data's folder (DATELINE_SHARED_DATA, as for the tests): never copied in.
DATA = Path(os.environ.get("DATELINE_SHARED_DATA", REPO / ".." / "shared" / "data")) / "clustering"
NEUS = DATA / "neus-dev.jsonl"
DEV_FILES = {
    "neus-dev-val": NEUS,
    "allsides-headline11-dev": DATA / "allsides-headline11-dev.jsonl",
    "ecbplus-dev": DATA / "ecbplus-dev.jsonl",
}
# How many of neus-dev's articles (in replay order) the long run takes.
LONG_RUN_ARTICLES = 5_000
STREAM_ARTICLES = int(os.environ.get("BENCH_STREAM", "200000"))
STREAM_DAYS = 60
# The encoder's width, and how far a member's embedding strays from its story's direction: noise
# of about this norm puts members near cosine 0.8 to the direction and 0.65 to each other.
EMBEDDING_DIMENSIONS = 384
EMBEDDING_NOISE = 0.7


# The protocol: each file's rows shuffled with this seed, then replayed in the order
# `dateline stories eval` replays them (``replay_order``).
PROTOCOL_SEED = 20261125
PEER_THRESHOLD = 0.25
_PEER_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class PlainPeer:
    """The issue's plain peer: single-pass TF-IDF, cosine to each story's centroid.

    Headline twice plus text, lowercased words of two or more characters, English stop words
    (Dateline's list, text_features.STOPWORDS: scikit-learn is not installed here), sublinear tf,
    smoothed idf fit on the whole of neus-dev (terms it never saw are dropped), unit vectors; an
    article joins the story whose centroid (sum of its members' vectors) is the most similar, if
    the cosine reaches 0.25, else opens a new story. An inverted index finds the centroids
    sharing a term with the article: the others have cosine 0, so the search is exact.
    """

    def __init__(self, idf: dict[str, float], threshold: float = PEER_THRESHOLD) -> None:
        self.idf = idf
        self.threshold = threshold
        self.centroids: list[dict[str, float]] = []
        self.norms: list[float] = []
        self.index: dict[str, set[int]] = {}

    @staticmethod
    def counts(article: ArticleIn) -> Counter[str]:
        text = f"{article.title} {article.title} {article.text}".lower()
        return Counter(t for t in _PEER_TOKEN.findall(text) if t not in STOPWORDS)

    @classmethod
    def fit(cls, articles: list[ArticleIn]) -> dict[str, float]:
        df: Counter[str] = Counter()
        for article in articles:
            df.update(cls.counts(article).keys())
        n = len(articles)
        return {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}

    def add(self, article: ArticleIn) -> int:
        idf = self.idf
        vector = {
            t: (1.0 + math.log(c)) * idf[t] for t, c in self.counts(article).items() if t in idf
        }
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vector = {t: w / norm for t, w in vector.items()}
        scores: dict[int, float] = {}
        for term, weight in vector.items():
            for story in self.index.get(term, ()):
                scores[story] = scores.get(story, 0.0) + weight * self.centroids[story][term]
        best, best_score = -1, self.threshold
        for story, dot in scores.items():
            cosine = dot / self.norms[story]
            if cosine >= best_score:
                best, best_score = story, cosine
        if best < 0:
            self.centroids.append({})
            self.norms.append(0.0)
            best = len(self.centroids) - 1
        centroid = self.centroids[best]
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
            self.index.setdefault(term, set()).add(best)
        self.norms[best] = math.sqrt(sum(w * w for w in centroid.values()))
        return best


def dev_files(seed: int = PROTOCOL_SEED) -> dict[str, list[LabelledArticle]]:
    """The three dev files (neus-dev's val split), each shuffled as the issue's protocol says
    (another ``seed``: another replay order, to check a result does not hang on one)."""
    files: dict[str, list[LabelledArticle]] = {}
    for name, path in DEV_FILES.items():
        with path.open(encoding="utf-8") as handle:
            lines = [line for line in handle if line.strip()]
        if name == "neus-dev-val":
            lines = [line for line in lines if json.loads(line).get("split") == "val"]
        random.Random(seed).shuffle(lines)
        files[name] = read_labelled(lines)
    return files


def scores(predicted: dict[str, int], gold: dict[str, str], seconds: float) -> dict[str, float]:
    b3, pw = bcubed(predicted, gold), pairwise(predicted, gold)
    return {
        "bcubed_p": b3.p,
        "bcubed_r": b3.r,
        "bcubed_f1": b3.f1,
        "pairwise_f1": pw.f1,
        "articles_per_s": len(gold) / seconds if seconds else 0.0,
    }


def peer_idf() -> dict[str, float]:
    """The plain peer's idf, fit on the whole of neus-dev as the issue says."""
    with NEUS.open(encoding="utf-8") as handle:
        return PlainPeer.fit([row.article for row in read_labelled(handle)])


def run_peer(rows: list[LabelledArticle], idf: dict[str, float]) -> dict[str, float]:
    """The plain peer's scores on ``rows``, replayed in the order Dateline replays them."""
    gold = {row.article.id: row.gold for row in rows}
    order = replay_order([row.article.published for row in rows])
    started = time.perf_counter()
    peer = PlainPeer(idf)
    predicted = {rows[i].article.id: peer.add(rows[i].article) for i in order}
    return scores(predicted, gold, time.perf_counter() - started)


def end_to_end() -> dict[str, object]:
    """Dateline's shipped pipeline (as `dateline stories eval` runs it: incremental assignment
    and the periodic pass) beside the plain peer, per dev file, in the same run and order."""
    started = time.perf_counter()
    setup = clustering_setup()
    load_seconds = time.perf_counter() - started
    idf = peer_idf()
    out: dict[str, object] = {"encoder": setup.encoder, "encoder_load_seconds": load_seconds}
    for name, rows in dev_files().items():
        ours = evaluate(
            rows, make_clusterer=setup.clusterer, embed=setup.embed, merge_every=setup.merge_every
        )
        out[name] = {
            "articles": len(rows),
            "dateline": {
                "bcubed_p": ours.bcubed.p,
                "bcubed_r": ours.bcubed.r,
                "bcubed_f1": ours.bcubed.f1,
                "pairwise_f1": ours.pairwise.f1,
                "articles_per_s": ours.articles_per_s,
            },
            "peer": run_peer(rows, idf),
        }
    return out


def long_run() -> dict[str, object]:
    """Part (c): the whole pipeline, the lexical one and the peer on 5,000 neus-dev articles."""
    with NEUS.open(encoding="utf-8") as handle:
        rows = read_labelled(handle)
    idf = peer_idf()
    order = replay_order([row.article.published for row in rows])[:LONG_RUN_ARTICLES]
    articles = [rows[i].article for i in order]
    gold = {rows[i].article.id: rows[i].gold for i in order}
    setup = clustering_setup()
    ours, ours_seconds, embedding_seconds = run_pipeline(setup, articles)
    lexical, lexical_seconds, _ = run_pipeline(lexical_setup(), articles)
    started = time.perf_counter()
    peer = PlainPeer(idf)
    baseline = {article.id: peer.add(article) for article in articles}
    peer_seconds = time.perf_counter() - started
    ours_b3, lexical_b3, peer_b3 = bcubed(ours, gold), bcubed(lexical, gold), bcubed(baseline, gold)
    return {
        "articles": len(articles),
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
    """Assignments (the periodic pass at the setup's cadence), the seconds for all of it, and the
    seconds of those spent embedding."""
    started = time.perf_counter()
    vectors = setup.embed([embedding_text(a) for a in articles]) if setup.embed else None
    embedded = time.perf_counter()
    prepared = [
        prepare(article, None if vectors is None else vectors[i])
        for i, article in enumerate(articles)
    ]
    assignments = replay(setup.clusterer(), prepared, merge_every=setup.merge_every)
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
        ClustererConfig(close_after=timedelta(days=3), close_after_articles=2_000),
        default_model(lexical=False),
    )
    timings: dict[int, list[float]] = {10_000: [], STREAM_ARTICLES: []}
    rss: dict[str, float] = {}
    total = pass_seconds = 0.0
    for n, prepared in enumerate(synthetic_stream(), start=1):
        started = time.perf_counter()
        clusterer.add(prepared)
        if n % 100 == 0:
            clusterer.close_idle(prepared.article.published)  # type: ignore[arg-type]
        if n % REPLAY_BATCH == 0:
            # The periodic pass at its most frequent: once a worker batch (the stream's ten
            # minutes hold fewer articles). Its cost lands on this article: the mean counts it.
            before = time.perf_counter()
            clusterer.consolidate()
            pass_seconds += time.perf_counter() - before
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
        "pass_seconds": pass_seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    options = parser.parse_args()
    result: dict[str, object] = {}
    missing = [str(path) for path in DEV_FILES.values() if not path.exists()]
    if not missing:
        result["end_to_end"] = {**long_run(), **end_to_end()}
    else:
        print(f"skipping (a): {', '.join(missing)} missing", file=sys.stderr)
    result["assignment"] = assignment_only()
    for part, figures in result.items():
        print(f"{part}: {figures}")
    if options.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
