"""Backtesting the clusterer on a labelled file: the replay order and the scores.

The replay hides the file's order (labelled files are grouped by story): rows are shuffled with a
fixed seed, then the dated ones are put in date order into the positions dated rows took in the
shuffle, the undated ones stay where the shuffle put them. The clusterer sees the articles in that
order with the shipped defaults; gold labels are read only to score the result.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dateline.stories.domain.clusterer import (
    PreparedArticle,
    StoryClusterer,
    Vector,
    prepare,
    replay,
)
from dateline.stories.domain.records import ArticleIn

# Texts in, one sentence embedding each out (stories.adapters.sentence_encoder in the product).
Embedder = Callable[[Sequence[str]], Sequence[Vector]]


def embedding_text(article: ArticleIn) -> str:
    """What the sentence encoder reads of an article: its headline, then its lead."""
    return f"{article.title}. {article.text}" if article.text else article.title


def prepare_all(articles: Sequence[ArticleIn], embed: Embedder | None) -> list[PreparedArticle]:
    """Articles ready for the clusterer, embedded in one batch when ``embed`` is given."""
    if embed is None:
        return [prepare(article) for article in articles]
    vectors = embed([embedding_text(article) for article in articles])
    return [prepare(a, v) for a, v in zip(articles, vectors, strict=True)]


REPLAY_SEED = 20260201


def replay_order(published: Sequence[datetime | None], seed: int = REPLAY_SEED) -> list[int]:
    """The order (row indices) in which to replay rows with these publication times."""
    order = list(range(len(published)))
    random.Random(seed).shuffle(order)
    dated_slots = [slot for slot, row in enumerate(order) if published[row] is not None]
    # sorted() is stable: rows published at the same instant keep their shuffled order.
    dated_rows = sorted((order[slot] for slot in dated_slots), key=lambda row: published[row])  # type: ignore[arg-type, return-value]
    for slot, row in zip(dated_slots, dated_rows, strict=True):
        order[slot] = row
    return order


@dataclass(frozen=True, slots=True)
class Scores:
    p: float
    r: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """B-cubed precision and recall, per article and averaged over articles (Bagga & Baldwin)."""
    if predicted.keys() != gold.keys():
        raise ValueError("predicted and gold must label the same articles")
    if not gold:
        return Scores(1.0, 1.0, 1.0)
    joint = Counter((predicted[a], gold[a]) for a in gold)
    predicted_sizes = Counter(predicted.values())
    gold_sizes = Counter(gold.values())
    precision = recall = 0.0
    # Every article in the cell (p, g) has the same per-article precision and recall.
    for (p, g), n in joint.items():
        precision += n * n / predicted_sizes[p]
        recall += n * n / gold_sizes[g]
    p, r = precision / len(gold), recall / len(gold)
    return Scores(p, r, _f1(p, r))


def pairwise(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> Scores:
    """Precision and recall over pairs of articles put in (or truly in) one cluster."""
    if predicted.keys() != gold.keys():
        raise ValueError("predicted and gold must label the same articles")

    def pairs(counts: Counter[Hashable] | Counter[tuple[Hashable, Hashable]]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter((predicted[a], gold[a]) for a in gold))
    predicted_pairs = pairs(Counter(predicted.values()))
    gold_pairs = pairs(Counter(gold.values()))
    p = both / predicted_pairs if predicted_pairs else 1.0
    r = both / gold_pairs if gold_pairs else 1.0
    return Scores(p, r, _f1(p, r))


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    article: ArticleIn
    gold: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    articles: int
    clusters: int
    gold_clusters: int
    bcubed: Scores
    pairwise: Scores
    seconds: float

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "clusters": self.clusters,
            "gold_clusters": self.gold_clusters,
            "bcubed": {"p": self.bcubed.p, "r": self.bcubed.r, "f1": self.bcubed.f1},
            "pairwise": {"p": self.pairwise.p, "r": self.pairwise.r, "f1": self.pairwise.f1},
            "seconds": self.seconds,
            "articles_per_s": self.articles_per_s,
        }


def evaluate(
    rows: Sequence[LabelledArticle],
    make_clusterer: Callable[[], StoryClusterer] = StoryClusterer,
    seed: int = REPLAY_SEED,
    embed: Embedder | None = None,
    merge_every: timedelta | None = None,
) -> Evaluation:
    """Replays ``rows`` through a fresh clusterer in the replay order and scores it.

    With ``merge_every`` the periodic pass runs at that cadence of the articles' own times
    (``clusterer.replay``). The time includes reading the words, the pass and, with ``embed``,
    the sentence encoder.
    """
    order = replay_order([row.article.published for row in rows], seed)
    started = time.perf_counter()
    clusterer = make_clusterer()
    prepared = prepare_all([rows[i].article for i in order], embed)
    assignments = replay(clusterer, prepared, merge_every=merge_every)
    seconds = time.perf_counter() - started
    predicted = {a.article_id: a.story_id for a in assignments}
    gold = {row.article.id: row.gold for row in rows}
    if len(gold) != len(rows):
        raise ValueError("article ids must be unique")
    members: defaultdict[int, int] = defaultdict(int)
    for story_id in predicted.values():
        members[story_id] += 1
    return Evaluation(
        articles=len(rows),
        clusters=len(members),
        gold_clusters=len(set(gold.values())),
        bcubed=bcubed(predicted, gold),
        pairwise=pairwise(predicted, gold),
        seconds=seconds,
    )


class LabelledFileError(ValueError):
    """A line of a labelled file that cannot be read; the message names the line."""


_REQUIRED = ("id", "title", "gold_cluster")


def published_time(value: object) -> datetime | None:
    """A labelled or article file's ``published``: None when absent, else the time in UTC.

    Raises ValueError saying why the value is not an ISO 8601 time.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("published must be an ISO 8601 time (a string) or null")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"published {value!r} is not an ISO 8601 time") from None
    # A date without a zone is taken as UTC: the clusterer only compares dates of one stream.
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # "9999-12-31T23:59:59-05:00" is past the calendar's end in UTC
        raise ValueError(f"published {value!r} is out of the range of dates") from None


def _published(value: object, line_number: int) -> datetime | None:
    try:
        return published_time(value)
    except ValueError as error:
        raise LabelledFileError(f"line {line_number}: {error}") from None


def read_labelled(lines: Iterable[str]) -> list[LabelledArticle]:
    """Reads a labelled JSON-lines file (id, title, text, published, gold_cluster, source, lang)."""
    rows: list[LabelledArticle] = []
    seen: set[str] = set()
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise LabelledFileError(f"line {line_number}: not JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise LabelledFileError(f"line {line_number}: not a JSON object")
        missing = [name for name in _REQUIRED if data.get(name) is None]
        if missing:
            raise LabelledFileError(f"line {line_number}: missing {', '.join(missing)}")
        article_id = str(data["id"])
        if article_id in seen:
            raise LabelledFileError(f"line {line_number}: id {article_id!r} appears twice")
        seen.add(article_id)
        text = data.get("text")
        source, lang = data.get("source"), data.get("lang")
        rows.append(
            LabelledArticle(
                ArticleIn(
                    id=article_id,
                    title=str(data["title"]),
                    text="" if text is None else str(text),
                    outlet=None if source is None else str(source),
                    language=None if lang is None else str(lang),
                    published=_published(data.get("published"), line_number),
                ),
                gold=str(data["gold_cluster"]),
            )
        )
    return rows
