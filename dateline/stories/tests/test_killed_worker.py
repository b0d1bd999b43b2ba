"""A worker process killed (SIGKILL) mid-batch neither loses nor repeats an article.

Real processes on a real database file (and on PostgreSQL when one is available): the worker is
killed by the operating system while its clusterer holds a half-done batch; once its lease
expires, another worker picks up exactly where the last committed batch ended.
"""

import re
import signal

from tests.support.processes import dateline

# Three batches commit (63 articles); the fourth dies. Quake15 (articles 60-63) spans the two,
# so the rescuing worker must continue a story it restored (and its stored vectors).
ARTICLES, BATCH, DIE_AT = 100, 21, 75

SEED = f"""
from dateline.wire.models import Article, Outlet
outlets = [Outlet.objects.create(name=f"Outlet {{n}}") for n in range(4)]
Article.objects.bulk_create(
    Article(outlet=outlets[n % 4], guid=f"g{{n}}", title=f"Quake{{n // 4}} hits town{{n // 4}}")
    for n in range({ARTICLES})
)
"""
DIE = f"""
import os, signal
from django.utils import timezone
from dateline.stories import services
from dateline.stories.clustering_setup import clustering_setup
from dateline.stories.domain.clusterer import StoryClusterer
from dateline.wire.models import Article
fatal = str(Article.objects.order_by("id").values_list("id", flat=True)[{DIE_AT}])
setup = clustering_setup()
class DiesMidBatch(StoryClusterer):
    def add(self, prepared):
        if prepared.article.id == fatal:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().add(prepared)
worker = services.ClusteringWorker(
    setup, make_clusterer=lambda: DiesMidBatch(model=setup.model), batch={BATCH}
)
while worker.run(timezone.now()):
    pass
"""
RESCUE = f"""
from datetime import timedelta
from django.utils import timezone
from dateline.stories import services
from dateline.stories.models import ClusteringCursor, StoryArticle
print("busy", services.ClusteringWorker().run(timezone.now()))
print("after-kill", StoryArticle.objects.count())
# The dead worker's lease runs out (leases are the database's clock: moved into the past).
ClusteringCursor.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
worker = services.ClusteringWorker(batch={BATCH})
while worker.run(timezone.now()):
    pass
"""
REPORT = """
from dateline.stories.clustering_setup import clustering_setup
from dateline.stories.models import ArticleEmbedding, Story, StoryArticle
from dateline.wire.models import Article
print("assigned", StoryArticle.objects.count(),
      "articles", StoryArticle.objects.values("article").distinct().count(),
      "unassigned", Article.objects.filter(membership__isnull=True).count(),
      "stories", Story.objects.count(),
      "largest", max(Story.objects.values_list("article_count", flat=True)),
      "vectors", ArticleEmbedding.objects.count(),
      "encoder", int(clustering_setup().embed is not None))
"""


def test_a_killed_worker_neither_loses_nor_repeats_an_article(database_env):
    env = database_env
    dateline("migrate", "-v", "0", env=env)
    dateline("shell", "-c", SEED, env=env)
    died = dateline("shell", "-c", DIE, env=env, check=False)
    assert died.returncode == -signal.SIGKILL, died.stderr
    rescue = dateline("shell", "-c", RESCUE, env=env).stdout
    # The dead worker's lease still held the cursor; three full batches had been committed.
    assert "busy 0" in rescue and f"after-kill {3 * BATCH}" in rescue, rescue
    report = re.search(
        r"assigned (\d+) articles (\d+) unassigned (\d+) stories (\d+) largest (\d+) "
        r"vectors (\d+) encoder ([01])",
        dateline("shell", "-c", REPORT, env=env).stdout,
    )
    assert report is not None
    *assigned, vectors, encoder = (int(n) for n in report.groups())
    assert assigned == [ARTICLES, ARTICLES, 0, ARTICLES // 4, 4]
    # With the encoder, each article's vector was stored once, the killed batch's by the rescuer.
    assert vectors == (ARTICLES if encoder else 0)
