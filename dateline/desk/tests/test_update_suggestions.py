"""Update suggestions: a new outlet on a published post's story puts one suggestion in the inbox;
accepting appends the Update to the post, its update log and its feeds; dismissing keeps the post
as it is; a failing receiver of story_updated breaks neither clustering nor the other receivers."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.domain.drafts import CitationDraft
from dateline.blog.models import PageGeneration, PartKind, Post, PostStatus
from dateline.desk import suggestions
from dateline.desk.models import SuggestionStatus, UpdateSuggestion
from dateline.stories import services as story_services
from dateline.stories.models import Story, StoryArticle
from dateline.stories.signals import story_updated

pytestmark = pytest.mark.django_db


def cluster(capture) -> None:
    with capture(execute=True):
        while story_services.cluster_new_articles(timezone.now()):
            pass


def story_of(article) -> Story:
    return StoryArticle.objects.select_related("story").get(article=article).story


def post_on(story: Story, cites) -> Post:
    return blog_services.create_post(
        headline=f"Post on {story.headline}",
        parts=[
            CitationDraft(
                outlet_name=cites.outlet.name,
                source_headline=cites.title,
                url=cites.url,
                quoted_excerpt="<p>The first report.</p>",
                article_id=cites.pk,
            )
        ],
        status=PostStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
        story=story,
    )


@pytest.fixture
def covered(wire, django_capture_on_commit_callbacks):
    """A story reported by BBC and covered by a published post that cites BBC."""
    bbc = wire.outlet("BBC", country="GB")
    first = wire.article(bbc, "quake", hours=1)
    cluster(django_capture_on_commit_callbacks)
    story = story_of(first)
    return story, post_on(story, first)


def test_a_new_outlet_on_a_covered_story_puts_one_suggestion_in_the_inbox(
    wire, covered, signed_in, django_capture_on_commit_callbacks
):
    story, post = covered
    dw = wire.outlet("DW", country="DE")
    report = wire.article(dw, "quake", hours=2)
    wire.article(wire.outlet("BBC"), "quake", hours=3)  # an outlet the post cites: nothing
    cluster(django_capture_on_commit_callbacks)

    assert story_of(report) == story
    suggestion = UpdateSuggestion.objects.get()
    assert (suggestion.post, suggestion.outlet, suggestion.article) == (post, dw, report)
    assert suggestion.text == report.title and suggestion.status == SuggestionStatus.PENDING
    inbox = signed_in.get(reverse("desk:inbox")).content.decode()
    assert report.title in inbox and "DW" in inbox and post.headline in inbox
    # The count is on every desk page.
    triage = signed_in.get(reverse("desk:triage")).content.decode()
    assert re.search(r'class="desk-count">1<', triage)

    # A second report from the same outlet, or the signal again: still one.
    assert suggestions.suggest_updates(Story, story=story, article=report) == 1
    assert UpdateSuggestion.objects.count() == 1


def test_no_suggestion_for_a_cited_outlet_a_closed_story_or_an_unpublished_post(wire, covered):
    story, post = covered
    dw_report = wire.article(wire.outlet("DW"), "quake", hours=2)
    StoryArticle.objects.create(story=story, article=dw_report)
    blog_services.add_citation(
        post,
        CitationDraft(
            outlet_name="DW",
            source_headline="x",
            url="https://dw.example/x",
            quoted_excerpt="",
            article_id=dw_report.pk,
        ),
    )
    assert suggestions.suggest_updates(Story, story=story, article=dw_report) == 0

    nhk_report = wire.article(wire.outlet("NHK"), "quake", hours=2)
    story.closed = True
    assert suggestions.suggest_updates(Story, story=story, article=nhk_report) == 0

    story.closed = False
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    assert suggestions.suggest_updates(Story, story=story, article=nhk_report) == 0
    assert not UpdateSuggestion.objects.exists()


def generations() -> dict[str, int]:
    """Every page generation: a quiet write moves none of them."""
    return dict(PageGeneration.objects.values_list("name", "value"))


def test_posts_follow_a_merge_quietly_and_get_the_kept_storys_suggestions(
    wire, covered, django_capture_on_commit_callbacks
):
    absorbed, post = covered
    keep_first = wire.article(wire.outlet("Kyodo", country="JP"), "strike", hours=1)
    cluster(django_capture_on_commit_callbacks)
    keep = story_of(keep_first)
    before = (Post.objects.get(pk=post.pk).updated_at, generations())

    with django_capture_on_commit_callbacks(execute=True):
        story_services.merge_stories(keep, absorbed)

    moved = Post.objects.get(pk=post.pk)
    assert moved.story_id == keep.pk
    # Quiet: readers see nothing new, so nothing says the post was updated.
    assert (moved.updated_at, generations()) == before
    report = wire.article(wire.outlet("Reuters"), "strike", hours=2)
    StoryArticle.objects.create(story=keep, article=report)
    assert suggestions.suggest_updates(Story, story=keep, article=report) == 1
    # A post still linked to the absorbed story (written before posts followed merges) too.
    Post.objects.filter(pk=post.pk).update(story=absorbed)
    UpdateSuggestion.objects.all().delete()
    assert suggestions.suggest_updates(Story, story=keep, article=report) == 1


def suggestion_for(wire, post, story, outlet="DW") -> UpdateSuggestion:
    report = wire.article(wire.outlet(outlet), "quake", hours=2)
    StoryArticle.objects.create(story=story, article=report)
    suggestions.suggest_updates(Story, story=story, article=report)
    return UpdateSuggestion.objects.get(article=report)


def test_accepting_an_edited_suggestion_updates_the_post_its_log_and_its_feed(
    wire, covered, signed_in
):
    story, post = covered
    suggestion = suggestion_for(wire, post, story)
    feed_before = signed_in.get("/feeds/atom.xml").content.decode()

    answer = signed_in.post(
        reverse("desk:decide", args=[suggestion.pk]),
        {"decision": "accept", "text": "Germany sends rescue teams.", "quote": "Teams flew out."},
        follow=True,
    )

    assert "Update added to" in answer.content.decode()
    update = post.parts.get(kind=PartKind.UPDATE)
    assert (
        "Germany sends rescue teams." in update.body and "Teams flew out." in update.quoted_excerpt
    )
    assert (update.outlet_name, update.article_id) == ("DW", suggestion.article_id)
    assert update.source_headline == suggestion.article.title
    post.refresh_from_db()
    assert post.updated_at is not None and post.updated_at == update.at
    page = signed_in.get(post.get_absolute_url()).content.decode()
    assert "<strong>Update:</strong>" in page and "Germany sends rescue teams." in page
    assert f"DW</a>: {suggestion.article.title}" in page
    assert re.search(r'<section class="update-log".*?\(DW\)</li>', page, re.S)
    feed = signed_in.get("/feeds/atom.xml").content.decode()
    # The feed's own updated time and the entry's are the update's time.
    assert re.findall(r"<updated>([^<]*)</updated>", feed) == [post.updated_at.isoformat()] * 2
    assert post.updated_at.isoformat() not in feed_before
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    # Accepting twice (a second tab) adds nothing.
    again = signed_in.post(
        reverse("desk:decide", args=[suggestion.pk]), {"decision": "accept", "text": "Again"}
    )
    assert again.status_code == 302 and post.parts.filter(kind=PartKind.UPDATE).count() == 1


def test_dismissing_leaves_the_post_as_it_was(wire, covered, signed_in):
    story, post = covered
    suggestion = suggestion_for(wire, post, story)
    signed_in.post(reverse("desk:decide", args=[suggestion.pk]), {"decision": "dismiss"})
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED
    assert not post.parts.filter(kind=PartKind.UPDATE).exists()
    assert suggestion.article.title not in signed_in.get(reverse("desk:inbox")).content.decode()


def test_an_update_for_a_post_deleted_meanwhile_says_so_and_writes_nothing(
    wire, covered, signed_in
):
    story, post = covered
    suggestion = suggestion_for(wire, post, story)
    post.delete()
    answer = signed_in.post(
        reverse("desk:decide", args=[suggestion.pk]),
        {"decision": "accept", "text": "Too late."},
        follow=True,
    )
    assert answer.status_code == 200
    assert "That suggestion is gone" in answer.content.decode()
    assert not UpdateSuggestion.objects.exists()


def test_an_update_the_blog_refuses_is_said_on_the_inbox_and_leaves_the_suggestion(
    wire, covered, signed_in
):
    story, post = covered
    suggestion = suggestion_for(wire, post, story)
    answer = signed_in.post(
        reverse("desk:decide", args=[suggestion.pk]),
        {"decision": "accept", "text": "   "},
        follow=True,
    )
    assert "An update needs its text." in answer.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PENDING
    assert not post.parts.filter(kind=PartKind.UPDATE).exists()


def test_a_failing_receiver_is_logged_and_the_batchs_other_updates_still_arrive(
    wire, covered, django_capture_on_commit_callbacks, caplog
):
    _, quake_post = covered
    strike_first = wire.article(wire.outlet("Kyodo"), "strike", hours=1)
    cluster(django_capture_on_commit_callbacks)
    strike_post = post_on(story_of(strike_first), strike_first)

    def broken(sender, **kwargs):
        raise RuntimeError("a listener's bug")

    story_updated.connect(broken)
    try:
        # One batch brings a new outlet to each story: two callbacks after its commit.
        wire.article(wire.outlet("DW"), "quake", hours=2)
        wire.article(wire.outlet("DW"), "strike", hours=2)
        with caplog.at_level(logging.ERROR, logger="dateline.stories.signals"):
            cluster(django_capture_on_commit_callbacks)
    finally:
        story_updated.disconnect(broken)

    assert set(UpdateSuggestion.objects.values_list("post_id", flat=True)) == {
        quake_post.pk,
        strike_post.pk,
    }
    # Logged under Dateline's logger, which production shows (Django's own record of it goes to
    # "django.dispatch", shown only with DEBUG on).
    failures = [r for r in caplog.records if r.name == "dateline.stories.signals"]
    assert len(failures) == 2 and "broken" in failures[0].getMessage()
    assert "a listener's bug" in str(failures[0].exc_info[1])
