"""A desk with something on every screen, for the page checks (Nu Html Checker, axe, looks).

`build_desk_site()` writes an editor, a story of two outlets' articles, a pending comment, feeds
in each state the feeds screen shows (polling fine, failing, paused), and returns the signed-in
pages reachable by GET. Pages that only a POST shows (a form with errors, a confirmation) are
listed by the tests that make them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from dateline.blog.models import PostStatus
from dateline.blog.services import create_post
from dateline.comments.models import Comment
from dateline.stories.domain.records import AssignmentReason, ReasonKind
from dateline.stories.models import Story, StoryArticle
from dateline.stories.services import recompute_coverage
from dateline.wire import services as wire
from dateline.wire.models import Article, Feed, FullTextStatus, Outlet

EDITOR = ("editor", "a desk password")


@dataclass(frozen=True)
class DeskSite:
    editor: User
    article: Article
    pages: dict[str, str]  # name -> path, signed in as the editor
    public_pages: dict[str, str]  # name -> path, before signing in


def build_desk_site() -> DeskSite:
    editor = get_user_model().objects.create_superuser(
        EDITOR[0], email="editor@example.org", password=EDITOR[1]
    )
    now = timezone.now()
    story = Story.objects.create(headline="Ferry strike enters second week",
                                 first_seen_at=now, last_seen_at=now)  # fmt: skip
    first = None
    for name, country in (("Harbour Gazette", "GB"), ("Rudaw", "IQ")):
        outlet = Outlet.objects.create(name=name, country=country, language="en")
        article = Article.objects.create(
            outlet=outlet, guid=f"{name}-1", url=f"https://{country.lower()}.example/ferry",
            title=f"{name}: ferry strike enters second week",
            summary="<p>The morning ferry did not sail.</p><p>Talks resume Monday.</p>",
            # Its page was tried already: the compose screen opens at once, without fetching.
            full_text_status=FullTextStatus.FAILED, full_text_note="HTTP 404",
        )  # fmt: skip
        # Why each is there, as the clustering job keeps it: the first opened the story.
        reason = (
            AssignmentReason(ReasonKind.NEW, language="en")
            if first is None
            else AssignmentReason(
                ReasonKind.JOINED, 0.87, str(first.pk), ("ferry", "strike", "second week"), "en"
            )
        )
        StoryArticle.objects.create(story=story, article=article, reason=reason.as_json())
        first = first or article
    recompute_coverage([story.pk])
    post = create_post(headline="Ferries stop", status=PostStatus.PUBLISHED, published_at=now)
    Comment.objects.create(post=post, author_name="Reader", body="When do they sail again?")

    wire.add_feed(url="https://gb.example/rss", outlet_name="Harbour Gazette", labels=["Europe"])
    failing = wire.add_feed(
        url="https://iq.example/rss", outlet_name="Rudaw", title="Rudaw English"
    )
    Feed.objects.filter(pk=failing.pk).update(
        error_count=2, last_status=503, last_error="HTTP 503 Service Unavailable",
        last_fetched_at=now,
    )  # fmt: skip
    paused = wire.add_feed(url="https://old.example/feed.xml", outlet_name="Old Times")
    wire.set_active(paused, False)
    fine = Feed.objects.get(url="https://gb.example/rss")
    Feed.objects.filter(pk=fine.pk).update(
        last_status=200, last_fetched_at=now, last_success_at=now, next_poll_at=now,
        entries_per_day=12.5,
    )  # fmt: skip
    assert first is not None
    return DeskSite(
        editor=editor,
        article=first,
        pages={
            "triage": "/desk/",
            "story": f"/desk/stories/{story.pk}/",
            "compose": f"/desk/compose/{first.pk}/",
            "clip": "/desk/clip/",
            "moderation": "/desk/comments/",
            "feeds": "/desk/feeds/",
            "account": "/desk/account/",
        },
        public_pages={
            "login": "/desk/login/?next=/desk/",
            "password-reset": "/desk/password-reset/",
            "password-reset-sent": "/desk/password-reset/sent/",
            "password-reset-bad-link": "/desk/password-reset/MQ/bad-token/",
            "password-reset-complete": "/desk/password-reset/done/",
        },
    )
