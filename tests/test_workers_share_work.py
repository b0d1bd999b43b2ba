"""Several `dateline worker` processes on one PostgreSQL database never do an item twice."""

import re

import pytest

from tests.support.postgres import fresh_database
from tests.support.processes import dateline, isolated_env, start_dateline

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
        env = isolated_env(tmp_path, DATELINE_DATABASE_URL=url, DATELINE_WORKER_TICK_SECONDS="0")
        dateline("migrate", "-v", "0", env=env)
        dateline("shell", "-c", SEED, env=env)
        workers = [start_dateline("worker", "--once", env=env) for _ in range(3)]
        outputs = [worker.communicate(timeout=120)[0] for worker in workers]
        assert all(worker.returncode == 0 for worker in workers), outputs
        assert not any("failed" in output for output in outputs), outputs
        # A worker that found the clusterer busy may stop early; one more pass finishes the rest.
        dateline("worker", "--once", env=env)
        report = re.search(
            r"assigned (\d+) stories (\d+)", dateline("shell", "-c", REPORT, env=env).stdout
        )
        assert report is not None
        assert (int(report[1]), int(report[2])) == (ARTICLES, ARTICLES // 4)
