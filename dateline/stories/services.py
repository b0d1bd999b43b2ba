"""The stories app's public commands, where the other apps, the jobs and the commands import them.

Clustering the wire into stories (``worker``), editors' corrections and the labelled pairs they
leave (``corrections``), a story's coverage (``coverage``) and the clusterer's view of a wire
article (``article_records``) each live in their own module; this one names what is public.
"""

from __future__ import annotations

from datetime import datetime

from dateline.stories.article_records import TEXT_LIMIT, article_in, seen_at
from dateline.stories.corrections import (
    MAX_PAIRS_PER_CORRECTION,
    automatic_merges,
    labelled_pairs,
    merge_stories,
    move_article_out,
    undo_automatic_merge,
)
from dateline.stories.coverage import recompute_coverage
from dateline.stories.explanations import why_in_story
from dateline.stories.worker import BATCH, LEASE, ClusteringWorker

__all__ = [
    "BATCH",
    "LEASE",
    "MAX_PAIRS_PER_CORRECTION",
    "TEXT_LIMIT",
    "ClusteringWorker",
    "article_in",
    "automatic_merges",
    "cluster_new_articles",
    "labelled_pairs",
    "merge_stories",
    "move_article_out",
    "recompute_coverage",
    "seen_at",
    "undo_automatic_merge",
    "why_in_story",
]

# The process's own worker: the job registered in apps.py runs it.
_worker = ClusteringWorker()


def cluster_new_articles(now: datetime) -> int:
    """Assigns articles that arrived since the last run to stories, in arrival order."""
    return _worker.run(now)
