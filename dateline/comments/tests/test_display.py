"""How comments show: threads, deleted placeholders, the reply form, counts and feeds."""

from __future__ import annotations

import feedparser
import lxml.html
import pytest
from django.urls import reverse

from dateline.comments import services
from dateline.comments.models import CommentStatus
from dateline.wire import services as wire
from dateline.wire.models import Article

pytestmark = pytest.mark.django_db


def page(client, post, query=""):
    return lxml.html.fromstring(client.get(post.get_absolute_url() + query).content)


def approved(post, body, parent=None, name=""):
    return services.record(post, author_name=name, body=body, parent=parent, status="approved")


def test_replies_nest_under_their_comment_then_go_flat(client, settings, post):
    settings.COMMENT_THREAD_DEPTH = 2
    top = approved(post, "Top")
    one = approved(post, "One deep", top)
    two = approved(post, "Two deep", one)
    three = approved(post, "Three deep", two)
    tree = page(client, post)

    def depth(comment):
        return len(
            tree.get_element_by_id(f"comment-{comment.pk}").xpath("ancestor::div[@class='replies']")
        )

    assert [depth(c) for c in (top, one, two, three)] == [0, 1, 2, 2]


def test_a_deleted_comment_with_replies_keeps_its_place(client, post):
    top = approved(post, "Rude words")
    approved(post, "A calm reply", top)
    lonely = approved(post, "Deleted with nothing under it")
    services.delete([top, lonely])
    html = client.get(post.get_absolute_url()).content.decode()
    assert "comment deleted" in html and "A calm reply" in html
    assert "Rude words" not in html and "Deleted with nothing" not in html
    assert html.count("comment deleted") == 1


def test_the_reply_link_works_without_script(client, post):
    top = approved(post, "Answer me", name="carl")
    tree = page(client, post)
    link = tree.cssselect(f"#comment-{top.pk} a.reply-link")[0]
    assert link.get("href") == f"?replytocom={top.pk}#respond"
    tree = page(client, post, f"?replytocom={top.pk}")
    forms = tree.xpath("//form[@method='post'][.//textarea]")
    assert len(forms) == 1  # the one form, moved: no second form is added
    form = forms[0]
    assert form.getprevious().get("id") == f"comment-{top.pk}"
    assert form.cssselect("input[name=parent]")[0].get("value") == str(top.pk)
    assert "Reply to" in form.text_content() and "carl" in form.text_content()


def test_the_first_post_form_with_a_textarea_is_the_comment_form(client, post):
    approved(post, "Something")
    tree = page(client, post)
    first = tree.xpath("//form[@method='post'][.//textarea]")[0]
    assert first.get("action") == reverse("comments:post", args=[post.pk])
    assert {"email", "url"} <= {i.get("name") for i in first.cssselect("input")}
    assert first.cssselect("input[name=email]")[0].get("type") == "email"
    assert first.cssselect("input[name=url]")[0].get("type") == "url"
    # Report buttons are forms too, without a textarea.
    assert tree.cssselect("form.report-form") and not tree.cssselect("form.report-form textarea")


def test_names_link_to_their_website_as_user_content(client, post):
    services.record(
        post, author_name="Ann", body="Hi", url="https://ann.example/", status="approved"
    )
    link = page(client, post).cssselect(".comment-author a")[0]
    assert link.get("rel") == "nofollow ugc noopener"
    assert link.get("href") == "https://ann.example/"


def test_counts_show_on_list_pages(client, post):
    approved(post, "One")
    approved(post, "Two")
    services.record(post, author_name="", body="Waiting")
    home = client.get("/").content.decode()
    assert f'{post.get_absolute_url()}#comments">2 comments</a>' in home


def test_a_visible_comment_reaches_the_cached_page_at_once(client, post):
    client.get(post.get_absolute_url())  # cached now
    comment = services.record(post, author_name="", body="Held first")
    services.approve(comment)
    assert "Held first" in client.get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_comment_feeds_are_read_by_feedparser(client, post, kind):
    approved(post, "In the *feed*", name="carl")
    services.record(post, author_name="", body="Not approved")
    parsed = feedparser.parse(
        client.get(reverse("comments:post_feed", args=[post.pk, kind])).content
    )
    assert not parsed.bozo
    assert [entry.title for entry in parsed.entries] == [f"carl on {post.headline}"]
    site = feedparser.parse(client.get(reverse("comments:feed", args=[kind])).content)
    assert len(site.entries) == 1


@pytest.mark.parametrize(
    "url",
    ["comments:post_feed", "comments:post_feed_json"],
)
def test_the_wire_reads_the_comment_feeds(client, post, url):
    approved(post, "Read back by the wire")
    args = [post.pk, "atom"] if url == "comments:post_feed" else [post.pk]
    response = client.get(reverse(url, args=args))
    feed = wire.add_feed(url=f"https://self.example/{url}", outlet_name="Ourselves")
    result = wire.ingest_document(feed, response.content, content_type=response["Content-Type"])
    assert result.new == 1
    assert Article.objects.filter(feed=feed).count() == 1


def test_the_post_page_advertises_its_comment_feeds(client, post):
    tree = page(client, post)
    hrefs = {link.get("href") for link in tree.xpath("//head/link[@rel='alternate']")}
    assert reverse("comments:post_feed", args=[post.pk, "atom"]) in hrefs
    assert reverse("comments:post_feed_json", args=[post.pk]) in hrefs
    assert reverse("comments:feed", args=["atom"]) in hrefs


def test_deleted_status_is_soft(post):
    comment = approved(post, "x")
    services.reject(comment)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.DELETED
