"""Threads as pages show them: replies under their comment, indented up to a depth, then flat.

A deleted comment keeps its place while a visible reply hangs under it (shown as "comment
deleted"); without one it disappears. Orphans (a parent that is not shown, e.g. still pending or
spam) are not shown either: their thread will appear when the parent is approved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    id: int
    parent_id: int | None
    visible: bool  # approved; False for a deleted one kept as a placeholder


@dataclass(frozen=True, slots=True)
class Placed:
    id: int
    depth: int  # 0 for a top-level comment, at most max_depth
    opens: bool  # a replies group starts before this comment (one level deeper than the last)
    closes: int  # how many replies groups end after this comment


def arrange(nodes: list[Node], *, max_depth: int) -> list[Placed]:
    """`nodes` in page order (oldest first within each thread), each with its depth."""
    children: dict[int | None, list[Node]] = defaultdict(list)
    by_id = {node.id: node for node in nodes}
    for node in nodes:
        parent = node.parent_id if node.parent_id in by_id else None
        if node.parent_id is not None and parent is None:
            continue  # its parent is not shown: neither is it, for now
        children[parent].append(node)

    # A parent is always stored before its replies, so it has the smaller id: walking ids from
    # the largest, every reply is judged before its parent (no recursion: threads may be deep).
    shown: dict[int, bool] = {}
    for node in sorted(nodes, key=lambda n: n.id, reverse=True):
        shown[node.id] = node.visible or any(shown.get(c.id, False) for c in children[node.id])

    order: list[tuple[int, int]] = []
    stack: list[tuple[Node, int]] = [(node, 0) for node in reversed(children[None])]
    while stack:
        node, depth = stack.pop()
        if not shown.get(node.id, False):
            continue
        order.append((node.id, depth))
        deeper = min(depth + 1, max_depth)
        stack.extend((child, deeper) for child in reversed(children[node.id]))
    placed: list[Placed] = []
    for index, (node_id, depth) in enumerate(order):
        previous = order[index - 1][1] if index else 0
        following = order[index + 1][1] if index + 1 < len(order) else 0
        placed.append(
            Placed(node_id, depth, opens=depth > previous, closes=max(depth - following, 0))
        )
    return placed
