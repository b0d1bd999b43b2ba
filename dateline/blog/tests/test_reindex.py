"""`dateline reindex` rebuilds the search index from the posts, on SQLite and PostgreSQL, as an
operator runs it after a restore, an import that bypassed the services, or a bug."""

from __future__ import annotations

import json

from tests.support.processes import dateline

# Six posts, each with a word of its own in its body; the draft's is never found.
SEED = """
from dateline.blog import services
from dateline.blog.domain.drafts import ProseDraft
for n, word in enumerate(["aleppo", "mosul", "raqqa", "kirkuk", "homs"]):
    services.create_post(
        headline=f"Report {n}", status="published", parts=[ProseDraft(html=f"<p>{word} calm</p>")]
    )
services.create_post(headline="Draft", status="draft", parts=[ProseDraft(html="<p>idlib</p>")])
"""

# What a restore or a raw import can leave: a post without its document, a document with stale
# text, and (SQLite) a word index that no longer matches the documents.
BREAK = """
from django.db import connection
from dateline.blog.models import Post, SearchDocument
ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
SearchDocument.objects.filter(pk=ids[0]).delete()
SearchDocument.objects.filter(pk=ids[1]).update(body_text="stale words")
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO blog_search_fts(blog_search_fts) VALUES ('delete-all')")
"""

FIND = """
import json
from dateline.blog.search import search_posts
words = ["aleppo", "mosul", "raqqa", "kirkuk", "homs", "idlib", "stale"]
print(json.dumps({w: [hit.post.headline for hit in search_posts(w)[0:10]] for w in words}))
"""

EXPECTED = {
    "aleppo": ["Report 0"],
    "mosul": ["Report 1"],
    "raqqa": ["Report 2"],
    "kirkuk": ["Report 3"],
    "homs": ["Report 4"],
    "idlib": [],
    "stale": [],
}


def found(env: dict[str, str]) -> dict[str, list[str]]:
    output = dateline("shell", "-c", FIND, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_reindex_repairs_the_index_and_a_second_run_writes_nothing(database_env):
    dateline("migrate", "-v", "0", env=database_env)
    dateline("shell", "-c", SEED, env=database_env)
    assert found(database_env) == EXPECTED
    dateline("shell", "-c", BREAK, env=database_env)
    broken = found(database_env)
    assert broken["aleppo"] == [] and broken["mosul"] == []
    # Batches of two: posts on both sides of each batch's edge are reached, none twice.
    first = dateline("reindex", "--batch-size", "2", env=database_env)
    assert first.stdout.strip() == "reindex: 6 posts, 2 search documents written"
    assert found(database_env) == EXPECTED
    again = dateline("reindex", env=database_env)
    assert again.stdout.strip() == "reindex: 6 posts, 0 search documents written"
    assert found(database_env) == EXPECTED


def test_reindex_refuses_a_bad_batch_size_and_an_unmigrated_database(database_env):
    unmigrated = dateline("reindex", env=database_env, check=False)
    assert unmigrated.returncode != 0 and "dateline migrate" in unmigrated.stderr
    assert "Traceback" not in unmigrated.stderr
    zero = dateline("reindex", "--batch-size", "0", env=database_env, check=False)
    assert zero.returncode != 0 and "--batch-size must be 1 or more" in zero.stderr
