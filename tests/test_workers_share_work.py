"""Several `dateline worker` processes on one PostgreSQL database never do an item twice; within
one worker, no job waits behind another."""

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from dateline.wire.tests.feedfactory import items, rss
from tests.support.loopback import LoopbackServer, Reply
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


# --- Issue #22, item 18: jobs run independently; an operator can dedicate processes -------------

TICK_SECONDS = 1
# docs/operations.md: a scheduled post appears at most the worker's tick plus one write of
# another job after its time. The test allows far more (a shared, loaded machine), and far less
# than the poll batch it runs beside (a minute).
PUBLISHED_WITHIN_SECONDS = 20
SCHEDULE_AND_WATCH = f"""
import time
from datetime import timedelta
from django.utils import timezone
from dateline.blog import services
from dateline.blog.models import Post, PostStatus

due = timezone.now() + timedelta(seconds=2)
post = services.create_post(headline="Scheduled while a poll batch runs",
                            status=PostStatus.SCHEDULED, published_at=due)
while (Post.objects.get(pk=post.pk).status != PostStatus.PUBLISHED
       and timezone.now() < due + timedelta(seconds={PUBLISHED_WITHIN_SECONDS})):
    time.sleep(0.2)
print("published", Post.objects.get(pk=post.pk).status == PostStatus.PUBLISHED)
"""


def _opml(tmp_path: Path, urls: list[str]) -> str:
    outlines = "".join(f'<outline type="rss" text="Feed" xmlUrl="{url}"/>' for url in urls)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<opml version="2.0"><head/><body>{outlines}</body></opml>')
    return str(opml)


def test_a_scheduled_post_is_published_on_time_while_a_long_poll_batch_runs(database_env, tmp_path):
    env = {**database_env, "DATELINE_WORKER_TICK_SECONDS": str(TICK_SECONDS)}
    # A slow host: a byte every half second keeps the fetch alive until the fetcher's total
    # limit (a minute), as hosts that drip their answers do.
    slow = Reply(body=b" " * 400, drip=0.5, headers={"Content-Type": "application/rss+xml"})
    with LoopbackServer() as server:
        dateline("migrate", "-v", "0", env=env)
        dateline("feeds", "import-opml", _opml(tmp_path, [server.route("/slow", slow)]), env=env)
        worker = start_dateline("worker", env=env, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not server.hits("/slow"):  # the poll batch is in hand
                assert worker.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
            out = dateline("shell", "-c", SCHEDULE_AND_WATCH, env=env).stdout
            # Before, the worker ran its jobs one after another: publishing waited for the poll.
            assert "published True" in out, out
            assert worker.poll() is None
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        assert worker.returncode == 0


DUE_POST = """
from datetime import timedelta
from django.utils import timezone
from dateline.blog import services
from dateline.blog.models import PostStatus
services.create_post(headline="Due", status=PostStatus.SCHEDULED,
                     published_at=timezone.now() - timedelta(seconds=1))
"""
COUNTS = """
from dateline.blog.models import Post, PostStatus
from dateline.wire.models import Article
print("published", Post.objects.filter(status=PostStatus.PUBLISHED).count(),
      "articles", Article.objects.count())
"""


def test_an_operator_dedicates_a_worker_to_some_jobs(tmp_path):
    env = isolated_env(tmp_path / "var")
    with LoopbackServer() as server:
        feed = server.route("/feed", Reply(body=rss(items(2, prefix="ded"))))
        dateline("migrate", "-v", "0", env=env)
        dateline("feeds", "import-opml", _opml(tmp_path, [feed]), env=env)
        dateline("shell", "-c", DUE_POST, env=env)

        publisher = dateline("worker", "--once", "--jobs", "cluster,publish", env=env)
        assert "jobs: stories.cluster, blog.publish" in publisher.stdout
        assert "published 1 articles 0" in dateline("shell", "-c", COUNTS, env=env).stdout
        poller = dateline("worker", "--once", "--jobs", "wire.poll", env=env)
        assert "jobs: wire.poll\n" in poller.stdout
        assert "published 1 articles 2" in dateline("shell", "-c", COUNTS, env=env).stdout

        unknown = dateline("worker", "--jobs", "poll,clustr", env=env, check=False)
        assert unknown.returncode != 0
        assert "clustr" in unknown.stderr and "cluster" in unknown.stderr
        assert "Traceback" not in unknown.stderr
