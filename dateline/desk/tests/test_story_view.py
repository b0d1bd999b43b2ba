"""The story view: every article in time order, the first reporter, the posts; merging and moving
an article out, each confirmed before anything changes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dateline.blog.models import Post
from dateline.desk.tests import world
from dateline.stories import services as story_services
from dateline.stories.models import CorrectionKind, Story, StoryCorrection

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    return world.build(stories=4, articles=24, outlets=6)


def test_every_article_in_time_order_with_its_outlet_and_the_posts(signed_in, desk):
    story = desk[-1]  # story 0: articles 0, 4, 8, ... published a minute apart; a post covers it
    page = signed_in.get(reverse("desk:story", args=[story.pk])).content.decode()
    titles = re.findall(r'rel="noopener noreferrer">Report (\d+) ', page)
    assert titles == ["0", "4", "8", "12", "16", "20"]
    assert 'First reported by <strong dir="auto">Outlet 0</strong>' in page
    assert "advanced stage (4)" in page  # each article's lead
    # Outlet 4 is in Japan and writes Japanese (world.COUNTRIES, LANGUAGES).
    assert re.search(r"<strong dir=\"auto\">Outlet 4</strong> · JP · ja · <time", page)
    post = Post.objects.get(story=story)
    assert f'<a href="{post.get_absolute_url()}">{post.headline}</a>' in page


def test_merging_asks_first_then_merges_and_the_posts_follow(
    signed_in, desk, django_capture_on_commit_callbacks
):
    keep, absorb = desk[0], desk[-1]  # the last holds the post of "story 0"
    post = Post.objects.get(story=absorb)
    url = reverse("desk:merge", args=[keep.pk])
    confirm = signed_in.get(url, {"other": absorb.pk})
    assert confirm.status_code == 200 and "Merge these stories?" in confirm.content.decode()
    assert not StoryCorrection.objects.exists()  # asking changed nothing

    with django_capture_on_commit_callbacks(execute=True):
        merged = signed_in.post(url, {"other": absorb.pk, "confirm": "yes"})
    done = signed_in.get(merged["Location"])

    assert "Merged “" in done.content.decode()
    absorb.refresh_from_db()
    assert absorb.merged_into_id == keep.pk and absorb.closed
    assert StoryCorrection.objects.get().kind == CorrectionKind.MERGE
    assert Post.objects.get(pk=post.pk).story_id == keep.pk
    assert post.get_absolute_url() in done.content.decode()

    # Merging it again (a stale page) says why, and changes nothing.
    again = signed_in.post(url, {"other": absorb.pk, "confirm": "yes"}, follow=True)
    assert again.status_code == 200 and "already merged" in again.content.decode()
    assert StoryCorrection.objects.count() == 1


@pytest.mark.parametrize("other", ["", "abc", "999999", "1" * 40, "self"])
def test_a_forged_merge_is_refused_with_a_message(signed_in, desk, other):
    story = desk[0]
    other = str(story.pk) if other == "self" else other
    answer = signed_in.post(
        reverse("desk:merge", args=[story.pk]), {"other": other, "confirm": "yes"}
    )
    assert answer.status_code == 400
    assert not StoryCorrection.objects.exists()


def test_moving_an_article_out_asks_first_then_opens_its_new_story(signed_in, desk):
    story = desk[0]
    article = story.articles.order_by("id").last()
    url = reverse("desk:move_out", args=[story.pk, article.pk])
    assert "Move this article out" in signed_in.get(url).content.decode()
    assert story.articles.filter(pk=article.pk).exists()

    answer = signed_in.post(url, {"confirm": "yes"})
    new_story = Story.objects.get(memberships__article=article)
    assert new_story != story and answer["Location"] == reverse("desk:story", args=[new_story.pk])
    # An article of another story, through this story's address: not found.
    other = desk[1].articles.first()
    assert signed_in.get(reverse("desk:move_out", args=[story.pk, other.pk])).status_code == 404
    # The only article of its story: said on the page.
    alone = signed_in.post(
        reverse("desk:move_out", args=[new_story.pk, article.pk]), {"confirm": "yes"}, follow=True
    )
    assert "only one" in alone.content.decode()


def test_each_article_says_why_it_is_in_the_story(signed_in, desk):
    story = desk[-1]  # story 0: articles 0, 4, 8, ...; 0 opened it, 4 joined 0, 8 joined 4
    page = signed_in.get(reverse("desk:story", args=[story.pk])).content.decode()
    whys = re.findall(r'Why here:</span> <span dir="auto">([^<]*)</span>', page)
    assert len(whys) == 6
    assert whys[0] == "new: no open story shared its rare words"
    assert whys[1] == (
        "joined: 0.81 with \u2018Report 0 on story 0: envoys arrive\u2019"
        " \u2014 shared: envoys, talks, city 0"
    )
    assert whys[2].startswith("joined: 0.81 with \u2018Report 4 on story 0")


def test_an_automatic_merge_is_shown_and_an_editor_undoes_it(signed_in, desk):
    keep, absorbed = desk[0], desk[1]
    story_services.merge_stories(keep, absorbed, automatic=True)
    url = reverse("desk:story", args=[keep.pk])
    page = signed_in.get(url).content.decode()
    assert "merged automatically at <time" in page
    undo = reverse("desk:undo_merge", args=[keep.pk, StoryCorrection.objects.get().pk])
    assert f'action="{undo}"' in page

    assert signed_in.get(undo)["Location"] == url  # only a POST undoes
    done = signed_in.post(undo, follow=True)
    assert "Undid the automatic merge" in done.content.decode()
    absorbed.refresh_from_db()
    assert absorbed.merged_into is None and not absorbed.closed and absorbed.article_count > 0
    assert done.redirect_chain[-1][0] == reverse("desk:story", args=[absorbed.pk])
    page = signed_in.get(url).content.decode()
    assert "undone at <time" in page and f'action="{undo}"' not in page
    # Undoing it again (a stale page) says why, and changes nothing.
    again = signed_in.post(undo, follow=True)
    assert "already undone" in again.content.decode()
