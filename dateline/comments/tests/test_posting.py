"""Posting a comment through the public endpoint: hostile input gets a clear answer, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.exceptions import CommentError
from dateline.comments.models import Comment, CommentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)


def fields(**changes):
    data = {
        "author_name": "Sam",
        "body": "Interesting.",
        "website": "",
        "stamp": services.form_stamp(timezone.now() - timedelta(minutes=1)),
    }
    data.update(changes)
    return data


def test_a_comment_is_kept_pending(client, post):
    answer = client.post(reverse("comments:post", args=[post.pk]), fields())
    assert answer.status_code == 200
    comment = Comment.objects.get()
    assert (comment.status, comment.author_name, comment.body) == (
        CommentStatus.PENDING,
        "Sam",
        "Interesting.",
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"website": "http://cheap-pills.example"},
        {"stamp": "forged"},
        {"stamp": ""},
        {"body": ""},
        {"body": "x" * 6000},
        {"author_name": "<script>alert(1)</script>" * 10},
    ],
)
def test_refused_comments_keep_the_text_and_store_nothing(client, post, changes):
    answer = client.post(reverse("comments:post", args=[post.pk]), fields(**changes))
    assert answer.status_code == 400
    assert Comment.objects.count() == 0
    assert "<script>alert(1)" not in answer.content.decode()
    if changes.get("body", "Interesting.") == "Interesting.":
        assert "Interesting." in answer.content.decode()


def test_comments_on_unpublished_or_missing_posts_are_404(client):
    draft = blog.create_post(headline="Not yet", status=PostStatus.DRAFT)
    for post_id in (draft.pk, 999999):
        assert client.post(reverse("comments:post", args=[post_id]), fields()).status_code == 404


def test_get_is_not_allowed(client, post):
    assert client.get(reverse("comments:post", args=[post.pk])).status_code == 405


def test_approved_comments_only_are_public(post):
    services.record(post, author_name="", body="shown", status=CommentStatus.APPROVED)
    services.record(post, author_name="", body="waiting")
    assert list(Comment.objects.approved().values_list("body", flat=True)) == ["shown"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"created_at": datetime(2010, 1, 1)}, "aware"),  # read in whatever zone the import ran
        # Pages show local times: year 1 seen from west of UTC overflowed the post page.
        ({"created_at": datetime(1, 1, 1, tzinfo=UTC)}, "years 1000 to 9999"),
        ({"body": "\x00 \x01"}, "empty"),
    ],
)
def test_a_recorded_comment_the_site_could_not_store_or_show_is_refused(post, changes, problem):
    fields = {"author_name": "Imported", "body": "From the old blog.", **changes}
    with pytest.raises(CommentError, match=problem):
        services.record(post, status=CommentStatus.APPROVED, **fields)
    assert not Comment.objects.exists()


def test_a_recorded_comment_keeps_a_name_of_any_length(post):
    # Imports keep what was written; only the public form limits names to 100 characters.
    services.record(post, author_name="n" * 300, body="Old.", status=CommentStatus.APPROVED)
    assert Comment.objects.get().author_name == "n" * 300


def test_a_recorded_comment_loses_nul_and_controls_but_keeps_its_text(client, settings, post):
    settings.TIME_ZONE = "America/New_York"
    at = datetime(1000, 1, 2, tzinfo=UTC)  # the earliest time a post may have, too
    services.record(
        post,
        author_name="Old\x00 reader",
        body="First\x00 comment\x0bhere",  # PostgreSQL refuses NUL in text
        status=CommentStatus.APPROVED,
        created_at=at,
    )
    comment = Comment.objects.get()
    assert (comment.author_name, comment.body, comment.created_at) == (
        "Old reader",
        "First comment here",
        at,
    )
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200
    assert "First comment here" in page.content.decode()


def test_control_characters_pasted_into_a_comment_are_not_kept(client, post):
    # HTML forbids them in a page's text: once approved, the post page would stop being valid.
    body = "First line\x0bsecond\x01 line."
    answer = client.post(
        reverse("comments:post", args=[post.pk]), fields(author_name="Sa\x02m", body=body)
    )
    assert answer.status_code == 200
    comment = Comment.objects.get()
    assert (comment.author_name, comment.body) == ("Sam", "First line second line.")
    services.approve(comment)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "First line second line" in page
    assert not any(character in page for character in "\x01\x02\x0b")


def test_a_comment_of_control_characters_only_is_empty(client, post):
    answer = client.post(reverse("comments:post", args=[post.pk]), fields(body="\x01\x02\x03"))
    assert answer.status_code == 400
    assert "The comment is empty." in answer.content.decode()
    assert Comment.objects.count() == 0


def test_the_same_comment_sent_twice_is_kept_once(client, post):
    # A double click, or reloading the thank-you page (the browser sends the form again).
    url = reverse("comments:post", args=[post.pk])
    sent = fields()  # the same form, stamp and all
    answers = [client.post(url, sent) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert "appear once a moderator" in answers[1].content.decode()
    assert Comment.objects.count() == 1
    # Other words, or another name, are another comment.
    client.post(url, {**sent, "body": "Interesting, and more."})
    client.post(url, {**sent, "author_name": "Alex"})
    assert Comment.objects.count() == 3


def test_the_same_words_from_a_fresh_form_are_held_as_a_duplicate(post):
    def send(minutes_ago):
        stamp = services.form_stamp(timezone.now() - timedelta(minutes=minutes_ago))
        return services.submit(post, author_name="Sam", body="Again.", honeypot="", stamp=stamp)

    first = send(2).comment
    again = send(1).comment
    assert again.pk != first.pk
    assert again.status == CommentStatus.PENDING
    assert again.held_reason == f"held: same text as comment #{first.pk}"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"body": "x" * 5001}, "Please keep comments under 5,000 characters."),
        ({"author_name": "n" * 101}, "Please keep the name under 100 characters."),
        ({"body": "   "}, "The comment is empty."),
        ({"stamp": ""}, "The form expired or was damaged"),
    ],
)
def test_a_refusal_says_what_is_wrong(client, post, changes, problem):
    # The page shows one message and no field errors: "check the fields below" told nobody why.
    answer = client.post(reverse("comments:post", args=[post.pk]), fields(**changes))
    assert answer.status_code == 400
    assert problem in answer.content.decode()
    assert Comment.objects.count() == 0


def test_line_breaks_count_as_one_character_as_the_browser_counts_them(client, post):
    # A textarea's maxlength counts a line break once; the form sends it as CRLF.
    paragraphs = "\r\n".join(["p" * 49] * 100)
    assert len(paragraphs.replace("\r\n", "\n")) == 4999 and len(paragraphs) > 5000
    answer = client.post(reverse("comments:post", args=[post.pk]), fields(body=paragraphs))
    assert answer.status_code == 200
    assert Comment.objects.get().body == paragraphs.replace("\r\n", "\n")
