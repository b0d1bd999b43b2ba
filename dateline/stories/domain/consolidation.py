"""The periodic pass's plan: which open stories to merge, by average linkage over their links.

Incremental assignment decides each article once, against the stories open at that moment; two
fragments of one event opened before either was large enough to attract the other stay apart
(and each makes the other's margin small, so later articles hesitate between them). The periodic
pass (``StoryClusterer.consolidate``) scores pairs of open stories with the same learned scorer
(how likely the smaller story's articles would join the larger one) and hands the scores here.

This module only plans: agglomerative clustering with average linkage over a sparse graph of
links. A pair with no link counts as probability 0, so a merged group links to a third story
only as strongly as all its articles do on average. Pairs kept apart (an editor's correction: a
cannot-link between their articles) stay apart after any merge on either side.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlannedMerge:
    """Story ``absorb`` moves into ``keep`` (ids of the stories as they stand when applied)."""

    keep: int
    absorb: int
    # The average link between the two groups when they were merged.
    link: float


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def plan_merges(
    sizes: Mapping[int, int],
    links: Mapping[tuple[int, int], float],
    threshold: float,
    apart: Collection[tuple[int, int]] = (),
) -> list[PlannedMerge]:
    """The merges, in the order to apply them, that average linkage makes above ``threshold``.

    ``sizes``: each story's article count (its weight in the averages). ``links``: a score in
    [0, 1] per pair of story ids (either order); pairs not given count as 0. ``apart``: pairs
    that must never end up in one story. The larger group keeps its id (the older, lower id on
    a tie), so the story the desk already shows survives.
    """
    size = dict(sizes)
    neighbours: dict[int, dict[int, float]] = {story: {} for story in size}
    for (a, b), score in links.items():
        if a == b or a not in size or b not in size:
            continue
        neighbours[a][b] = neighbours[b][a] = score
    separated: dict[int, set[int]] = {story: set() for story in size}
    for a, b in apart:
        if a in separated and b in separated:
            separated[a].add(b)
            separated[b].add(a)
    heap = [
        (-score, *_pair(a, b))
        for a, others in neighbours.items()
        for b, score in others.items()
        if a < b and score >= threshold
    ]
    heapq.heapify(heap)
    merges: list[PlannedMerge] = []
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in size or b not in size or neighbours[a].get(b) != -negative:
            continue  # stale: one side was merged since, or the link was recomputed
        if b in separated[a]:
            continue
        keep, absorb = (a, b) if (size[a], -a) >= (size[b], -b) else (b, a)
        merges.append(PlannedMerge(keep, absorb, -negative))
        _join(keep, absorb, size, neighbours, separated)
        for other, score in neighbours[keep].items():
            if score >= threshold:
                heapq.heappush(heap, (-score, *_pair(keep, other)))
    return merges


def _join(
    keep: int,
    absorb: int,
    size: dict[int, int],
    neighbours: dict[int, dict[int, float]],
    separated: dict[int, set[int]],
) -> None:
    """Folds ``absorb`` into ``keep``: size-weighted average links, the union of apartness."""
    kept, absorbed = size[keep], size[absorb]
    total = kept + absorbed
    mine, theirs = neighbours[keep], neighbours.pop(absorb)
    mine.pop(absorb, None)
    theirs.pop(keep, None)
    for other in set(mine) | set(theirs):
        score = (kept * mine.get(other, 0.0) + absorbed * theirs.get(other, 0.0)) / total
        mine[other] = score
        neighbours[other].pop(absorb, None)
        neighbours[other][keep] = score
    for other in separated.pop(absorb):
        separated[other].discard(absorb)
        separated[other].add(keep)
        separated[keep].add(other)
    size[keep] = total
    del size[absorb]
