"""Every sanitize case of the feedparser conformance corpus, posted as a comment body through the
form (Markdown) and recorded as imported HTML, renders inert on the post page."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.models import PostStatus
from dateline.comments import services
from dateline.comments.models import Comment
from dateline.wire.tests.shared_data import require

pytestmark = pytest.mark.django_db

EXECUTABLE_ELEMENTS = {
    "script", "iframe", "object", "embed", "applet", "frame", "frameset", "base", "meta", "link",
    "style", "form", "svg", "math", "template", "input", "button", "textarea", "select", "img",
    "video", "audio",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
SAFE_SCHEMES = ("http:", "https:", "mailto:", "ftp:", "tel:", "news:", "magnet:", "xmpp:")
PER_POST = 60


def payloads(path) -> str:
    """The markup the case carries, unsanitised: what a hostile commenter would paste."""
    parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
    texts = [parsed.feed.get(key, "") for key in ("title", "subtitle", "info", "rights")]
    for entry in parsed.entries:
        texts += [entry.get("title", ""), entry.get("summary", "")]
        texts += [part.get("value", "") for part in entry.get("content", [])]
    return "\n\n".join(text for text in texts if text) or path.read_text(errors="replace")


def executable(tree) -> list[str]:
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in EXECUTABLE_ELEMENTS:
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on") or lowered == "style":
                found.append(f"{element.tag}@{name}")
            if lowered in URL_ATTRIBUTES:
                scheme = "".join(value.split()).lower()
                if ":" in scheme.split("/")[0] and not scheme.startswith(SAFE_SCHEMES):
                    found.append(f"{element.tag}@{name}={value[:40]}")
    return found


def test_every_sanitize_case_renders_inert(client, settings):
    folder = require("feeds/feedparser-conformance/wellformed/sanitize")
    settings.COMMENT_MODERATION = "none"
    settings.COMMENT_RATE_LIMITS = {}
    settings.COMMENT_MAX_LINKS = 1000
    cases = sorted(folder.glob("*.xml"))
    assert len(cases) > 700
    stamp = services.form_stamp(timezone.now() - timedelta(minutes=1))
    posts = []
    for start in range(0, len(cases), PER_POST):
        post = blog.create_post(headline=f"Hostile {start}", status=PostStatus.PUBLISHED)
        posts.append(post)
        for case in cases[start : start + PER_POST]:
            body = payloads(case)[:5000]
            answer = client.post(
                reverse("comments:post", args=[post.pk]),
                {"author_name": case.stem[:100], "body": body, "stamp": stamp, "website": ""},
            )
            assert answer.status_code in (200, 400), case.name
            services.record(post, author_name=case.stem, body_html=body, status="approved")
    assert Comment.objects.count() >= 2 * len(cases) - 20  # a few bodies are empty once cleaned
    problems = {}
    for post in posts:
        tree = lxml.html.fromstring(client.get(post.get_absolute_url()).content)
        for body in tree.cssselect(".comment-body"):
            found = executable(body)
            if found:
                article = body.getparent()
                problems[article.get("id")] = found
    assert not problems, problems
