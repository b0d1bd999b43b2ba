"""A restarted clustering worker's rebuild: `python bench/stories_restore.py [--json]`.

The real feeds of Feb 2026 (../shared/data/clustering/realfeeds-2026-02-unlabeled.jsonl) go into a
throwaway SQLite database as wire articles, one outlet per source, and one worker clusters them
all with the installed sentence encoder. Then a new worker (its memory lost, as after a restart)
rebuilds from the open stories twice: once reading the stored vectors back, and once, the peer,
after the stored vectors were deleted, so it must encode every open article again (what it would
cost without ``ArticleEmbedding``). Both rebuilds run in this process, one after the other.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DATA = REPO / "../shared/data/clustering/realfeeds-2026-02-unlabeled.jsonl"


class CountingEmbed:
    def __init__(self, embed: Callable[[Sequence[str]], Sequence[Sequence[float]]]) -> None:
        self.embed, self.texts = embed, 0

    def __call__(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        self.texts += len(texts)
        return self.embed(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    args = parser.parse_args()
    os.environ["DATELINE_DATA_DIR"] = tempfile.mkdtemp(prefix="dateline-bench-restore-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dateline.stories.clustering_setup import clustering_setup
    from dateline.stories.management.top import read_articles
    from dateline.stories.models import ArticleEmbedding, StoryArticle
    from dateline.stories.worker import ClusteringWorker
    from dateline.wire.models import Article, Outlet

    setup = clustering_setup()
    if setup.embed is None:
        sys.exit("the sentence encoder is not installed: nothing to measure")
    call_command("migrate", verbosity=0)
    earliest = datetime.min.replace(tzinfo=UTC)
    records = sorted(read_articles(DATA), key=lambda r: r.published or earliest)
    outlets = {
        name: Outlet.objects.create(name=name)
        for name in sorted({r.outlet or "unknown" for r in records})
    }
    Article.objects.bulk_create(
        Article(
            outlet=outlets[r.outlet or "unknown"],
            guid=f"bench-{n}",
            title=r.title,
            summary=r.text,
            published_at=r.published,
        )
        for n, r in enumerate(records)
    )
    now = timezone.now()

    started = time.perf_counter()
    first = ClusteringWorker(setup)
    while first.run(now):
        pass
    first_pass = time.perf_counter() - started
    open_articles = StoryArticle.objects.filter(story__closed=False).count()

    def rebuild() -> tuple[float, int]:
        counter = CountingEmbed(setup.embed)
        worker = ClusteringWorker(replace(setup, embed=counter))
        started = time.perf_counter()
        worker.run(now)  # nothing new: the run is the rebuild (and writes what it encoded)
        assert worker.restores == 1
        return time.perf_counter() - started, counter.texts

    stored_seconds, stored_encoded = rebuild()
    ArticleEmbedding.objects.all().delete()
    peer_seconds, peer_encoded = rebuild()

    result = {
        "articles": len(records),
        "open_articles": open_articles,
        "first_pass_articles_per_s": round(len(records) / first_pass, 1),
        "restore_stored": {"seconds": round(stored_seconds, 3), "encoded": stored_encoded},
        "restore_encoding_all": {"seconds": round(peer_seconds, 3), "encoded": peer_encoded},
        "speedup": round(peer_seconds / stored_seconds, 1),
    }
    if not args.json:
        print(
            f"{open_articles} open articles: rebuilt in {stored_seconds:.2f} s from stored "
            f"vectors ({stored_encoded} encoded), {peer_seconds:.2f} s encoding them all"
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
