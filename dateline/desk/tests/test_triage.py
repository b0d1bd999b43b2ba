"""Triage: filters, the desk's marks on stories (dismiss, snooze, covered), and forms that come
back wrong."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dateline.blog.models import Post, PostStatus
from dateline.desk.models import StoryDeskState
from dateline.desk.tests import world
from dateline.stories.models import Story

pytestmark = pytest.mark.django_db


def listed(client, query: str = "") -> list[str]:
    page = client.get(f"/desk/{query}").content.decode()
    return re.findall(r'class="story-open" href="/desk/stories/\d+/">([^<]*)<', page)


@pytest.fixture
def desk(db):
    """Ten stories of four articles, ranked Story 9 first; outlets round-robin over five."""
    stories = world.build(stories=10, articles=40, outlets=5)
    StoryDeskState.objects.all().delete()
    return stories


def test_open_stories_are_listed_best_first_with_outlets_and_what_covers_them(signed_in, desk):
    assert listed(signed_in) == [story.headline for story in desk]
    page = signed_in.get("/desk/").content.decode()
    post = Post.objects.get(story__headline__startswith="Report 0 ")
    assert f'<strong>Covered:</strong> <a href="{post.get_absolute_url()}">' in page
    # Outlets with their first report's time; countries and languages.
    assert re.search(r"Outlet \d <time datetime=\"2026-11-01T", page)
    assert "4 articles · 1 outlet · FR · fr" in page


def test_filters_narrow_the_list(signed_in, desk):
    everything = listed(signed_in)
    assert len(everything) == 10
    # Story n holds articles n, n+10, n+20, n+30: outlets n % 5 (5 outlets, 10 stories).
    outlet = world.Outlet.objects.get(name="Outlet 2")
    assert sorted(listed(signed_in, f"?outlet={outlet.pk}")) == [
        "Report 2 on story 2: envoys arrive",
        "Report 7 on story 7: envoys arrive",
    ]
    # Outlet 2 is in FR, writes fr; Folder 2 is its feed's.
    assert listed(signed_in, "?country=FR") == listed(signed_in, f"?outlet={outlet.pk}")
    assert listed(signed_in, "?language=fr") == listed(signed_in, f"?outlet={outlet.pk}")
    assert listed(signed_in, "?label=Folder+2") == listed(signed_in, f"?outlet={outlet.pk}")
    assert listed(signed_in, "?label=World") == everything
    assert listed(signed_in, "?q=story+3") == ["Report 3 on story 3: envoys arrive"]
    assert listed(signed_in, "?q=Report+17+") == ["Report 7 on story 7: envoys arrive"]
    # Values no filter knows are ignored, never a 500.
    for junk in ("?country=%22%5D", "?outlet=abc", "?language=x;y", "?show=all", "?q=" + "x" * 500):
        assert signed_in.get(f"/desk/{junk}").status_code == 200


def act(client, story: Story, action: str, **extra: str):
    return client.post(
        reverse("desk:story_state", args=[story.pk]),
        {"action": action, "next": "/desk/?q=envoys", **extra},
    )


def test_dismiss_snooze_cover_and_restore(signed_in, desk):
    top, second, third = desk[:3]
    answer = act(signed_in, top, "dismiss")
    assert answer.status_code == 302 and answer["Location"] == "/desk/?q=envoys"
    assert f"Dismissed “{top.headline}”." in signed_in.get(answer["Location"]).content.decode()
    act(signed_in, second, "snooze", hours="24")
    act(signed_in, third, "cover")

    names = listed(signed_in)
    assert top.headline not in names and second.headline not in names
    assert listed(signed_in, "?show=dismissed") == [top.headline]
    assert listed(signed_in, "?show=snoozed") == [second.headline]
    page = signed_in.get("/desk/").content.decode()
    assert "<strong>Covered</strong> (marked)" in page

    act(signed_in, top, "restore")
    assert listed(signed_in)[0] == top.headline
    state = StoryDeskState.objects.get(story=second)
    assert state.snoozed_until is not None and not state.dismissed


def test_a_forged_action_is_refused_and_an_outside_next_is_ignored(signed_in, desk):
    story = desk[0]
    assert act(signed_in, story, "delete").status_code == 400
    assert act(signed_in, story, "snooze", hours="100000").status_code == 400
    assert not StoryDeskState.objects.exists()
    answer = signed_in.post(
        reverse("desk:story_state", args=[story.pk]),
        {"action": "dismiss", "next": "https://elsewhere.example/"},
    )
    assert answer["Location"] == "/desk/"
    assert signed_in.post(reverse("desk:story_state", args=[999999]), {}).status_code == 404
    assert signed_in.get(reverse("desk:story_state", args=[story.pk])).status_code == 405


def test_the_poll_gets_the_list_alone(signed_in, desk):
    fragment = signed_in.get("/desk/?q=envoys&fragment=list").content.decode()
    assert fragment.lstrip().startswith('<ol class="triage-list">')
    assert "<html" not in fragment
    # Its forms send the editor back to the page, not to the fragment.
    assert 'name="next" value="/desk/?q=envoys"' in fragment
    page = signed_in.get("/desk/?q=envoys").content.decode()
    assert 'data-poll="/desk/?q=envoys&amp;fragment=list"' in page


def test_unpublished_posts_are_shown_as_such(signed_in, desk):
    Post.objects.update(status=PostStatus.DRAFT)
    page = signed_in.get("/desk/").content.decode()
    assert "(draft)" in page
