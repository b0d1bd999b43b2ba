"""Where the clusterer loses recall: `python bench/stories_recall.py [--seed N] [--json]`.

For each dev file of ``bench/stories.py`` (shuffled with the issue's seed, replayed with the
shipped pipeline and the periodic pass at the worker's cadence), every article whose gold story
already had articles in an open story is put in one of four bins:

- ``joined_gold``: it joined a story holding some of them;
- ``never_candidate``: no such story was among its candidates (the word index did not offer it);
- ``below_threshold``: one was a candidate, but it opened a new story (no candidate reached the
  join probability);
- ``lost_to_other``: one was a candidate, and it joined another story.

For the last two, the gold story's probability and rank among the candidates. Candidates
are read with ``StoryClusterer.candidates`` just before the article is added (the article's own
words are then not yet in the document frequencies: a hair off the decision's figures).

The periodic pass: each merge made (right when the two stories' most common gold stories are
the same), and at the end every pair of open stories that should be one (same most common gold
story): whether the pass would compare them at all, and their link (``pair_link``).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stories import PROTOCOL_SEED, dev_files

from dateline.stories.clustering_setup import clustering_setup
from dateline.stories.domain.clusterer import PassSchedule, StoryClusterer
from dateline.stories.domain.evaluation import LabelledArticle, replay_order


def quantiles(values: list[float]) -> list[float]:
    """Deciles (10 % ... 90 %), or the values themselves when too few."""
    if len(values) < 10:
        return sorted(round(v, 3) for v in values)
    return [round(v, 3) for v in statistics.quantiles(values, n=10)]


def majority(clusterer: StoryClusterer, story_id: int, gold: dict[str, str]) -> str:
    return Counter(gold[a] for a in clusterer.members(story_id)).most_common(1)[0][0]


def diagnose(rows: list[LabelledArticle]) -> dict[str, object]:
    setup = clustering_setup()
    gold = {row.article.id: row.gold for row in rows}
    order = replay_order([row.article.published for row in rows])
    prepared = setup.prepare([rows[i].article for i in order])
    clusterer = setup.clusterer()
    # Each article seen so far -> its story now (merges followed).
    where: dict[str, int] = {}
    bins: Counter[str] = Counter()
    probabilities: dict[str, list[float]] = {"below_threshold": [], "lost_to_other": []}
    ranks: dict[str, Counter[int]] = {"below_threshold": Counter(), "lost_to_other": Counter()}
    merges: list[dict[str, object]] = []
    schedule = None if setup.merge_every is None else PassSchedule(setup.merge_every)

    def run_pass() -> None:
        before = {
            s: majority(clusterer, s, gold) for s in set(where.values()) if _open(clusterer, s)
        }
        moved: dict[int, int] = {}
        for merge in clusterer.consolidate():
            moved[merge.absorb] = merge.keep
            right = before.get(merge.keep) == before.get(merge.absorb)
            merges.append({"link": round(merge.link, 3), "right": right})
        for article_id, story in where.items():
            while story in moved:
                story = moved[story]
            where[article_id] = story

    for item in prepared:
        story_gold = gold[item.article.id]
        open_mates = {s for a, s in where.items() if gold[a] == story_gold and _open(clusterer, s)}
        candidates = clusterer.candidates(item) if open_mates else []
        assignment = clusterer.add(item)
        where[item.article.id] = assignment.story_id
        if open_mates:
            ranked = sorted(candidates, key=lambda c: -c.logit)
            at = [i for i, c in enumerate(ranked) if c.story_id in open_mates]
            if assignment.story_id in open_mates:
                bins["joined_gold"] += 1
            elif not at:
                bins["never_candidate"] += 1
            else:
                kind = "below_threshold" if assignment.created else "lost_to_other"
                bins[kind] += 1
                probabilities[kind].append(ranked[at[0]].probability)
                ranks[kind][min(at[0], 5)] += 1
        else:
            bins["first_of_its_story" if assignment.created else "first_but_joined"] += 1
        published = item.article.published
        if published is not None:
            clusterer.close_idle(published)
        if schedule is not None and schedule.due_after_article(clusterer.clock):
            run_pass()
    if setup.merge_every is not None:
        run_pass()
    by_gold: dict[str, list[int]] = {}
    for story in sorted({s for s in where.values() if _open(clusterer, s)}):
        by_gold.setdefault(majority(clusterer, story, gold), []).append(story)
    should, links = 0, []
    for stories in by_gold.values():
        for i, a in enumerate(stories):
            for b in stories[i + 1 :]:
                should += 1
                link = clusterer.pair_link(a, b)
                if link is not None:
                    links.append(link)
    return {
        "articles": len(rows),
        "bins": dict(bins),
        "gold_probability_deciles": {k: quantiles(v) for k, v in probabilities.items()},
        "gold_rank": {k: dict(sorted(v.items())) for k, v in ranks.items()},
        "pass_merges": len(merges),
        "pass_merges_right": sum(1 for m in merges if m["right"]),
        "pass_merge_links": [m["link"] for m in merges],
        "pairs_that_should_merge_at_end": should,
        "of_them_compared_by_the_pass": len(links),
        "their_link_deciles": quantiles(links),
        "their_links_at_least_half_the_threshold": sum(
            1 for link in links if link >= clusterer.config.merge_probability / 2
        ),
        "merge_probability": clusterer.config.merge_probability,
    }


def _open(clusterer: StoryClusterer, story_id: int) -> bool:
    try:
        clusterer.members(story_id)
    except KeyError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=PROTOCOL_SEED, help="the shuffle (order)")
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    options = parser.parse_args()
    result = {name: diagnose(rows) for name, rows in dev_files(options.seed).items()}
    for name, figures in result.items():
        print(f"{name}: {figures}")
    if options.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
