"""The pages a commenter meets pass the Nu Html Checker with no errors (headings in order
included)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
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
    services.record(post, author_name="", body="Anonymous, with a@example.org", status="approved")
    pages = {"post-with-comments": client.get(post.get_absolute_url()).content}
    # A refused comment comes back on a page of its own, with the form under its heading.
    refused = client.post(reverse("comments:post", args=[post.pk]), {"body": "x" * 5001})
    assert refused.status_code == 400
    pages["refused-comment"] = refused.content
    problems = nu_checker.errors(pages, tmp_path)
    assert not problems, "\n".join(str(problem) for problem in problems)
