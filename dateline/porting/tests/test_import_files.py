"""Every export under ../shared/data/exports, with counts established by reading the files (an
lxml walk and reading by eye), not by running the importer."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.blog.models import Label, OldAddress, Post, PostKind, PostStatus
from dateline.comments.models import Comment
from dateline.porting.importing import import_file
from dateline.porting.models import SourceRecord
from dateline.wire.tests.shared_data import require

pytestmark = pytest.mark.django_db

# file -> the counts the JSON must report. Checked by hand: items by wp:post_type/wp:status (or
# Blogger's kind category / blogger:type), comments by wp:comment / kind#comment / COMMENT,
# labels by distinct category names on imported posts and pages.
EXPECTED = {
    "blogger/legacy-2008-sample.xml": {
        "format": "blogger-legacy", "posts": 4, "drafts": 0, "pages": 0, "comments": 3,
        "replies": 0, "labels": 4, "authors": 1,
        "skipped": {"blog settings": 47, "template": 1},
    },
    "blogger/legacy-2018-pelican.xml": {
        "format": "blogger-legacy", "posts": 2, "drafts": 1, "pages": 2, "comments": 1,
        "replies": 0, "labels": 2, "authors": 1,
        "skipped": {"blog settings": 58, "template": 1},
    },
    "blogger/takeout-small-feed.atom": {
        "format": "blogger-takeout", "posts": 4, "drafts": 0, "pages": 0, "comments": 6,
        "replies": 0, "labels": 2, "authors": 2, "skipped": {},
    },
    "wxr/theme-unit-test-data.xml": {
        "format": "wxr-1.2", "posts": 58, "drafts": 1, "pages": 21, "comments": 33,
        "replies": 10, "labels": 129, "authors": 3,
        "skipped": {"attachment": 37, "menu item": 70, "address taken": 1},
    },
    "wxr/pelican-export.xml": {
        # Two pages and four posts share ids with other items: all are kept.
        "format": "wxr-1.1", "posts": 11, "drafts": 4, "pages": 2, "comments": 4,
        "replies": 2, "labels": 6, "authors": 2,
        # Items sharing an id share its /?p= address too: the first keeps it.
        "skipped": {"attachment": 4, "custom post type": 3, "address taken": 3},
    },
    "wxr/wxr-1.0-sample.wxr": {
        "format": "wxr-1.0", "posts": 3, "drafts": 0, "pages": 1, "comments": 2, "labels": 4,
    },
    "wxr/edge-cases/small-export.xml": {
        "format": "wxr-1.1", "posts": 6, "drafts": 0, "pages": 5, "comments": 1, "labels": 31,
    },
    "wxr/edge-cases/valid-wxr-1.0.xml": {
        "format": "wxr-1.0", "posts": 3, "pages": 3, "comments": 1, "labels": 7,
    },
    "wxr/edge-cases/valid-wxr-1.1.xml": {
        "format": "wxr-1.1", "posts": 1, "pages": 1, "comments": 1, "labels": 2,
    },
    "wxr/edge-cases/namespace-edge-cases.xml": {
        # The item whose wp: prefix is bound to another namespace has no post type.
        "posts": 5, "skipped": {"no post type": 1},
    },
    "wxr/edge-cases/wxr-with-sub-data.xml": {"posts": 1, "comments": 1, "labels": 1},
    "wxr/edge-cases/slashes.xml": {"posts": 1, "comments": 1, "labels": 1},
    "wxr/edge-cases/authors-multiline.xml": {"posts": 1, "authors": 1},
    "wxr/edge-cases/missing-tags.xml": {"posts": 1, "authors": 0},
    "wxr/edge-cases/large-authors.xml": {"posts": 0, "authors": 0},
    "wxr/edge-cases/term-formats.xml": {"posts": 0, "labels": 0},
    "wxr/edge-cases/term-meta.xml": {"posts": 0, "labels": 0},
    "wxr/edge-cases/test-serialized-comment-meta.xml": {"posts": 1, "drafts": 1, "comments": 1},
    "wxr/edge-cases/test-serialized-term-meta.xml": {"posts": 1, "drafts": 1, "labels": 2},
    "wxr/edge-cases/wxr-flat-attachment-same-site.xml": {
        "posts": 1, "skipped": {"attachment": 1},
    },
    "wxr/edge-cases/wxr-utf-8-challenges.xml": {"posts": 1, "labels": 1},
}  # fmt: skip
ONE_POST = {
    "backslashes.xml": PostStatus.PUBLISHED,
    "blank-lines.xml": PostStatus.PUBLISHED,
    "cdata-edge.xml": PostStatus.PUBLISHED,
    "chunked-meta.xml": PostStatus.PUBLISHED,
    "crazy-cdata-escaped.xml": PostStatus.PUBLISHED,
    "multiple-cdata.xml": PostStatus.PUBLISHED,
    "post-content-blank-lines.xml": PostStatus.PUBLISHED,
    "test-serialized-postmeta-no-cdata.xml": PostStatus.DRAFT,
    "test-serialized-postmeta-with-cdata.xml": PostStatus.DRAFT,
    "test-utw-post-meta-import.xml": PostStatus.DRAFT,
    "wxr-flat-attachment-different-site.xml": PostStatus.PUBLISHED,
    "wxr-simple.xml": PostStatus.PUBLISHED,
}
MALFORMED = {
    "crazy-cdata.xml": ":18:70: Sequence ']]>' not allowed in content",
    "malformed-simple.xml": ":14:1: Premature end of data in tag item",
    "malformed.xml": ":90:11: Opening and ending tag mismatch: notachanneltag",
    "missing-version-tag.xml": ": not a WXR file WordPress would import: no wp:wxr_version",
    "invalid-version-tag.xml": (
        ": not a WXR file WordPress would import: invalid wp:wxr_version 'abc'"
    ),
}


def _run(path, *extra):
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("import", str(path), "--json", *extra, stdout=Out(), stderr=Out())
    return json.loads("".join(out).strip().splitlines()[-1])


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_every_export_imports_with_the_counts_its_file_holds(relative):
    path = require(f"exports/{relative}")
    report = _run(path)
    wanted = EXPECTED[relative]
    assert {key: report[key] for key in wanted} == wanted
    assert Post.objects.filter(kind=PostKind.POST).count() == report["posts"]
    assert Post.objects.filter(kind=PostKind.PAGE).count() == report["pages"]
    assert Comment.objects.count() == report["comments"]


@pytest.mark.parametrize("name", sorted(ONE_POST))
def test_each_small_edge_case_is_one_post(name):
    report = _run(require(f"exports/wxr/edge-cases/{name}"))
    assert (report["posts"], report["pages"]) == (1, 0)
    assert Post.objects.get().status == ONE_POST[name]


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_and_versionless_files_say_where_and_write_nothing(name):
    path = require(f"exports/wxr/edge-cases/{name}")
    with pytest.raises(CommandError) as raised:
        _run(path)
    assert str(raised.value) == f"{path}{MALFORMED[name]}" or str(raised.value).startswith(
        f"{path}{MALFORMED[name]}"
    )
    assert Post.objects.count() == 0 and SourceRecord.objects.count() == 0


def test_bodies_survive_as_written():
    import_file(require("exports/wxr/edge-cases/backslashes.xml"))
    assert "C:\\xampp\\htdocs\\wp-content" in Post.objects.get().parts.get().body
    Post.objects.all().delete(), SourceRecord.objects.all().delete()
    import_file(require("exports/wxr/edge-cases/cdata-edge.xml"))
    assert "ends with sequence ]] &gt;" in Post.objects.get().parts.get().body
    Post.objects.all().delete(), SourceRecord.objects.all().delete()
    import_file(require("exports/wxr/edge-cases/blank-lines.xml"))
    body = Post.objects.get().parts.get().body
    assert body == "<p>first paragraph</p>\n<p>second paragraph</p>"
    Post.objects.all().delete(), SourceRecord.objects.all().delete()
    import_file(require("exports/wxr/edge-cases/multiple-cdata.xml"))
    assert "line oneline twoline three" in Post.objects.get().parts.get().body


def test_theme_data_keeps_what_wordpress_had(client):
    import_file(require("exports/wxr/theme-unit-test-data.xml"))
    untitled = Post.objects.get(headline="")
    assert untitled.status == PostStatus.PUBLISHED
    assert untitled.title.startswith("Untitled post, ")
    assert Post.objects.filter(sticky=True).count() == 1
    assert Post.objects.filter(status=PostStatus.SCHEDULED).count() == 1
    protected = Post.objects.filter(status=PostStatus.PRIVATE)
    assert protected.count() == 1
    # A child page's old address is its full path, and answers 301 at /p/<slug>/.
    child = OldAddress.objects.filter(key__regex=r"^/[^/?]+/[^/]+$", post__kind=PostKind.PAGE)
    assert child.exists()
    response = client.get(child.first().key + "/")
    assert response.status_code == 301 and response["Location"].startswith("/p/")
    # A post's old addresses: WordPress's dated one and its /?p=ID.
    post = Post.objects.get(slug="markup-html-tags-and-formatting")
    keys = set(post.old_addresses.values_list("key", flat=True))
    assert "/2013/01/11/markup-html-tags-and-formatting" in keys
    assert any(key.startswith("/?p=") for key in keys)
    assert client.get("/2013/01/11/markup-html-tags-and-formatting/").status_code == 301
    # Comments: kinds, statuses and threads as the file has them.
    assert Comment.objects.filter(kind="pingback").count() == 2
    assert Comment.objects.filter(kind="trackback").count() == 2
    assert Comment.objects.filter(status="pending").count() == 3
    assert Comment.objects.filter(parent__isnull=False).count() == 10


def test_labels_keep_their_exact_names():
    import_file(require("exports/wxr/pelican-export.xml"))
    names = set(Label.objects.values_list("name", flat=True))
    assert {"tag 1", "Tag2", "Tag 3", "Category 1"} <= names
    assert "Category 4" not in names  # only on custom post types


def test_blogger_addresses_redirect_and_comments_keep_their_authors(client):
    import_file(require("exports/blogger/takeout-small-feed.atom"))
    response = client.get("/2009/11/federated-key-management-and-cloud.html")
    assert response.status_code == 301
    post = Post.objects.get(headline="Federated key management and cloud computing")
    assert response["Location"] == post.get_absolute_url()
    assert set(post.labels.values_list("name", flat=True)) == {"cloud computing", "key management"}
    names = sorted(Comment.objects.values_list("author_name", flat=True))
    assert names.count("") == 3 and "Maria Taylor" in names
    assert Comment.objects.filter(status="approved").count() == 1


def test_a_legacy_blogger_draft_and_draft_page_are_drafts():
    report = import_file(require("exports/blogger/legacy-2018-pelican.xml"))
    assert report.drafts == 1
    assert Post.objects.filter(kind=PostKind.PAGE, status=PostStatus.DRAFT).count() == 1
    assert Post.objects.filter(kind=PostKind.PAGE, status=PostStatus.PUBLISHED).count() == 1


def test_published_and_updated_times_are_kept_as_aware_utc():
    import_file(require("exports/blogger/legacy-2008-sample.xml"))
    post = Post.objects.get(headline="A (somewhat) brief history")
    # <published>2008-04-15T09:28:00.000-07:00</published>, <updated>2008-11-11T16:05:24.968-08:00
    assert post.published_at.isoformat() == "2008-04-15T16:28:00+00:00"
    assert post.updated_at.isoformat() == "2008-11-12T00:05:24.968000+00:00"
