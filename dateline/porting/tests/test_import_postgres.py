"""The import's plain INSERTs (`core.bulk_insert`) on a real PostgreSQL database: what SQLite
stores, PostgreSQL stores (threads, times, bodies), a second import adds nothing, and a file
broken half-way leaves no rows."""

from __future__ import annotations

import json

import pytest

from dateline.porting.tests.test_import_safety import comment, item, wxr
from tests.support.postgres import fresh_database
from tests.support.processes import dateline, isolated_env

pytestmark = pytest.mark.postgres

COUNTS = """
import json
from dateline.blog.models import Post
from dateline.comments.models import Comment
from dateline.porting.models import SourceRecord
reply = Comment.objects.get(author_name="Reader 3")
print(json.dumps({
    "posts": Post.objects.count(),
    "comments": Comment.objects.count(),
    "records": SourceRecord.objects.count(),
    "reply_parent": reply.parent.author_name,
    "reply_post": reply.post.headline,
    "created": reply.created_at.isoformat(),
    "body": reply.body_html,
    "imported_at_set": not SourceRecord.objects.filter(imported_at__isnull=True).exists(),
}))
"""


@pytest.fixture
def env(postgres_server_url, tmp_path):
    with fresh_database(postgres_server_url) as url:
        env = isolated_env(tmp_path / "site", DATELINE_DATABASE_URL=url)
        dateline("migrate", "-v", "0", env=env)
        yield env


def _counts(env) -> dict:
    return json.loads(dateline("shell", "-c", COUNTS, env=env).stdout.strip().splitlines()[-1])


def test_an_import_stores_threads_once_on_postgresql(env, tmp_path):
    threads = comment(1, approved="1") + comment(2) + comment(3, parent=1, approved="1")
    path = tmp_path / "export.xml"
    path.write_text(wxr(item(1, comments=threads) + item(2)), encoding="utf-8")

    first = json.loads(dateline("import", str(path), "--json", env=env).stdout.splitlines()[-1])
    again = json.loads(dateline("import", str(path), "--json", env=env).stdout.splitlines()[-1])

    assert (first["posts"], first["comments"], first["replies"]) == (2, 3, 1)
    assert again["posts"] == again["comments"] == 0
    assert again["skipped"]["already imported"] == 5
    assert _counts(env) == {
        "posts": 2,
        "comments": 3,
        "records": 5,
        "reply_parent": "Reader 1",
        "reply_post": "Post 1",
        "created": "2015-02-02T10:00:00+00:00",
        "body": "<p>Comment 3</p>",
        "imported_at_set": True,
    }


def test_a_file_broken_half_way_leaves_no_rows_on_postgresql(env, tmp_path):
    good = "".join(item(n, comments=comment(n)) for n in range(1, 400))
    path = tmp_path / "broken.xml"
    path.write_text(wxr(good + "<item><title>cut</ti"), encoding="utf-8")

    refused = dateline("import", str(path), env=env, check=False)

    assert refused.returncode == 1
    assert (_counts_or_none(env)) == (0, 0, 0)


def _counts_or_none(env) -> tuple[int, int, int]:
    script = (
        "from dateline.blog.models import Post\n"
        "from dateline.comments.models import Comment\n"
        "from dateline.porting.models import SourceRecord\n"
        "print(Post.objects.count(), Comment.objects.count(), SourceRecord.objects.count())\n"
    )
    out = dateline("shell", "-c", script, env=env).stdout.split()
    return int(out[-3]), int(out[-2]), int(out[-1])
