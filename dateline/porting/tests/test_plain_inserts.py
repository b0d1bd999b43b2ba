"""The import stores its comments and source records through `core.bulk_insert`'s plain
INSERTs: each row must hold what `bulk_create` would have stored, defaults included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.forms.models import model_to_dict

from dateline.blog import services as blog_services
from dateline.comments import services as comments
from dateline.comments.models import Comment
from dateline.core import bulk_insert
from dateline.porting.models import SourceKind, SourceRecord

pytestmark = pytest.mark.django_db


def _prepared(post, parent=None):
    return [
        comments.prepare_record(
            post,
            author_name="Reader é",
            body_html="<p>One <script>x</script><a href='https://a.example'>link</a></p>",
            parent=parent,
            email="r@example.org",
            url="https://reader.example",
            status="approved",
            created_at=datetime(2015, 2, 2, 10, 0, tzinfo=UTC),
        ),
        comments.prepare_record(
            post,
            author_name="",
            body_html="Two",
            status="spam",
            created_at=datetime(2016, 1, 1, tzinfo=UTC),
        ),
    ]


def _stored(model, ids):
    rows = [model_to_dict(model.objects.get(pk=pk)) for pk in ids]
    for row in rows:
        row.pop("id")
        row.pop("imported_at", None)
    return rows


def test_record_many_stores_what_bulk_create_stores():
    post = blog_services.create_post(headline="Talks", status="published")
    parent = comments.record_many(_prepared(post)[:1], quiet=True)[0]

    ours = comments.record_many(_prepared(post, parent), quiet=True)
    django = Comment.objects.bulk_create(_prepared(post, parent))

    assert [c.pk for c in ours] == sorted(c.pk for c in ours)
    assert all(c.pk and not c._state.adding for c in ours)
    assert _stored(Comment, [c.pk for c in ours]) == _stored(Comment, [c.pk for c in django])
    assert Comment.objects.get(pk=ours[0].pk).parent_id == parent.pk


def test_source_records_from_plain_values_get_their_defaults():
    post = blog_services.create_post(headline="Talks", status="published")
    comment = comments.record_many(_prepared(post)[:1], quiet=True)[0]

    bulk_insert.insert_rows(
        SourceRecord,
        ["source", "source_id", "kind", "comment_id"],
        [("wxr:a", "c1", SourceKind.COMMENT.value, comment.pk)],
        returning_ids=False,
    )
    SourceRecord.objects.bulk_create(
        [SourceRecord(source="wxr:b", source_id="c1", kind="comment", comment_id=comment.pk)]
    )

    ours, django = (SourceRecord.objects.get(source=source) for source in ("wxr:a", "wxr:b"))
    assert ours.imported_at is not None
    assert _stored(SourceRecord, [ours.pk]) == [
        {**_stored(SourceRecord, [django.pk])[0], "source": "wxr:a"}
    ]
