"""The pages a commenter meets pass the Nu Html Checker with no errors (headings in order
included)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.models import Comment
from tests.support import nu_checker

pytestmark = pytest.mark.django_db


def test_comment_pages_pass_the_nu_html_checker(client, tmp_path):
    reason = nu_checker.missing()
    if reason:
        pytest.fail(f"the Nu Html Checker cannot run: {reason}")
    post = blog.create_post(headline="A published post", status=PostStatus.PUBLISHED)
    services.record(
        post,
        author_name="محمد",
        body="See www.example.org and https://example.org/a?b=1&c=2\n\nAnother paragraph.",
        status="approved",
    )
    other = services.record(
        post, author_name="", body="Anonymous, with a@example.org", status="approved"
    )
    reply = services.record(
        post,
        author_name="carl",
        body="> quoted\n\n*Yes*, `code`.",
        parent=other,
        status="approved",
        url="https://carl.example/",
    )
    services.record(post, author_name="x", body="Under it", parent=reply, status="approved")
    services.delete([reply])
    services.record(post, author_name="Held", body="Waiting")
    pages = {"post-with-comments": client.get(post.get_absolute_url()).content}
    pages["reply-form-moved"] = client.get(
        f"{post.get_absolute_url()}?replytocom={other.pk}"
    ).content
    stamp = services.form_stamp(timezone.now() - timedelta(minutes=1))
    thanks = client.post(
        reverse("comments:post", args=[post.pk]),
        {"author_name": "Sam", "body": "Fine.", "stamp": stamp, "website": ""},
    )
    assert thanks.status_code == 200
    pages["thanks"] = thanks.content
    comment = Comment.objects.get(body="Fine.")
    pages["edit"] = client.get(reverse("comments:edit", args=[comment.pk])).content
    pages["report-done"] = client.post(
        reverse("comments:report", args=[other.pk]), {"stamp": stamp}
    ).content
    nul = client.post(
        reverse("comments:post", args=[post.pk]),
        {"author_name": "Sam", "body": "x\x00y", "stamp": stamp, "website": ""},
    )
    pages["refused-field"] = nul.content
    User.objects.create_superuser("boss", "boss@example.org", "a-long-password-12")
    client.login(username="boss", password="a-long-password-12")
    pages["desk-queue"] = client.get(reverse("desk:moderation")).content
    pages["desk-all"] = client.get(reverse("desk:moderation") + "?queue=all").content
    # A refused comment comes back on a page of its own, with the form under its heading.
    refused = client.post(reverse("comments:post", args=[post.pk]), {"body": "x" * 5001})
    assert refused.status_code == 400
    pages["refused-comment"] = refused.content
    problems = nu_checker.errors(pages, tmp_path)
    assert not problems, "\n".join(str(problem) for problem in problems)
