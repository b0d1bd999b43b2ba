"""Exports: WXR shaped as WordPress's exporter writes it, Blogger's legacy dialect read back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from lxml import etree

from dateline.blog.models import Post, PostKind
from dateline.comments.models import Comment
from dateline.porting.exporting import export
from dateline.porting.importing import import_file
from dateline.porting.models import SourceRecord
from dateline.wire.tests.shared_data import require

pytestmark = pytest.mark.django_db
WP = "{https://wordpress.org/export/1.2/}"


def _names(item) -> list[str]:
    return [etree.QName(child).localname for child in item if isinstance(child.tag, str)]


def test_our_wxr_items_carry_every_field_wordpress_writes(tmp_path):
    source = require("exports/wxr/theme-unit-test-data.xml")
    import_file(source)
    out = StringIO()
    export("wxr", out, site_url="https://erbil.example")
    ours = etree.fromstring(out.getvalue().encode())
    theirs = etree.parse(str(source)).getroot()
    their_post = next(
        item for item in theirs.iter("item") if item.findtext(f"{WP}post_type") == "post"
    )
    our_post = next(item for item in ours.iter("item") if item.find("category") is not None)
    wanted = set(_names(their_post)) - {"postmeta"}
    assert wanted <= set(_names(our_post))
    assert ours.find("channel").findtext("{http://wordpress.org/export/1.2/}wxr_version") == "1.2"
    our_comment = next(ours.iter("{http://wordpress.org/export/1.2/}comment"))
    their_comment = next(theirs.iter(f"{WP}comment"))
    assert set(_names(their_comment)) - {"commentmeta"} <= set(_names(our_comment))


def test_a_blogger_export_reads_back_with_its_posts_pages_labels_and_public_comments(tmp_path):
    import_file(require("exports/wxr/theme-unit-test-data.xml"))
    posts = Post.objects.filter(kind=PostKind.POST).count()
    pages = Post.objects.filter(kind=PostKind.PAGE).count()
    approved = Comment.objects.filter(status="approved").count()
    replies = Comment.objects.filter(status="approved", parent__status="approved").count()
    path = tmp_path / "blog.atom"
    with path.open("w", encoding="utf-8") as out:
        export("blogger", out)
    for model in (Comment, SourceRecord, Post):
        model.objects.all().delete()
    report = import_file(path)
    assert (report.format, report.posts, report.pages) == ("blogger-legacy", posts, pages)
    assert report.comments == approved and report.replies == replies
    assert report.labels == 129


def test_create_users_gives_each_author_an_account_without_a_password():
    import_file(require("exports/wxr/pelican-export.xml"), create_users=True)
    users = get_user_model().objects.all()
    assert users.count() == 2
    assert not any(user.has_usable_password() for user in users)
    assert Post.objects.filter(author__isnull=True).count() == 0
