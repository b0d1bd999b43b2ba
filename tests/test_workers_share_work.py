"""Several `dateline worker` processes on one PostgreSQL database never do an item twice."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import fresh_database

REPO = Path(__file__).resolve().parents[1]
ARTICLES = 400

SEED = f"""
from dateline.wire.models import Article, Outlet
outlets = [Outlet.objects.create(name=f"Outlet {{n}}") for n in range(4)]
Article.objects.bulk_create(
    Article(outlet=outlets[n % 4], guid=f"g{{n}}", title=f"Quake{{n // 4}} hits town{{n // 4}}")
    for n in range({ARTICLES})
)
"""
REPORT = """
from dateline.stories.models import StoryArticle, Story
print("assigned", StoryArticle.objects.count(), "stories", Story.objects.count())
"""


@pytest.mark.postgres
def test_three_workers_cluster_every_article_exactly_once(postgres_server_url, tmp_path):
    with fresh_database(postgres_server_url) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
        env.update(
            DATELINE_DATABASE_URL=url,
            DATELINE_DATA_DIR=str(tmp_path),
            PYTHONPATH=str(REPO),
            DATELINE_WORKER_TICK_SECONDS="0",
        )

        def dateline(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [sys.executable, "-m", "dateline.cli", *args],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )

        dateline("migrate", "-v", "0")
        dateline("shell", "-c", SEED)
        workers = [
            subprocess.Popen(
                [sys.executable, "-m", "dateline.cli", "worker", "--once"],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [worker.communicate(timeout=120)[0] for worker in workers]
        assert all(worker.returncode == 0 for worker in workers), outputs
        assert not any("failed" in output for output in outputs), outputs
        # A worker that found the clusterer busy may stop early; one more pass finishes the rest.
        dateline("worker", "--once")
        report = re.search(r"assigned (\d+) stories (\d+)", dateline("shell", "-c", REPORT).stdout)
        assert report is not None
        assert (int(report[1]), int(report[2])) == (ARTICLES, ARTICLES // 4)
