"""Writers at the same moment: posts with the same headline or a new label, all kept.

Real processes on a real database file, and on PostgreSQL when one is available: there the
second of two inserts of one slug or label waits for the first to commit, then is refused.
"""

from tests.support.processes import dateline

WRITERS, POSTS_EACH = 4, 15

RACE = f"""
import threading
from django.db import connection
from dateline.blog import services
from dateline.blog.models import Label, Post

start = threading.Barrier({WRITERS})
failures = []

def write(writer):
    try:
        start.wait()
        for n in range({POSTS_EACH}):
            services.create_post(headline=f"Quake update {{n}}", labels=[f"Quake {{n}}", "Quake"])
    except Exception as error:
        failures.append(type(error).__name__)
    finally:
        connection.close()

threads = [threading.Thread(target=write, args=(w,)) for w in range({WRITERS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("failures", len(failures), sorted(set(failures)))
print("posts", Post.objects.count(), "slugs", Post.objects.values("slug").distinct().count())
print("labels", Label.objects.count(), "tagged", Label.objects.get(name="Quake").posts.count())
"""


def test_simultaneous_posts_with_one_headline_and_new_labels_are_all_written(database_env):
    dateline("migrate", "-v", "0", env=database_env)
    out = dateline("shell", "-c", RACE, env=database_env).stdout
    total = WRITERS * POSTS_EACH
    assert "failures 0 []" in out, out
    assert f"posts {total} slugs {total}" in out, out
    assert f"labels {POSTS_EACH + 1} tagged {total}" in out, out
