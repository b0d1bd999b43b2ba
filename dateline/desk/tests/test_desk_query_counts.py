"""The desk's pages cost a fixed number of queries whatever the number of stories, articles,
outlets, posts and suggestions: measured on a small desk, then on 1,000 open stories and 20,000
articles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dateline.desk.tests import world
from dateline.desk.views.triage import STORIES_ON_DESK
from dateline.stories.models import Story

pytestmark = pytest.mark.django_db

TRIAGE_PAGES = [
    "/desk/",
    "/desk/?fragment=list",
    "/desk/?q=talks&label=World&country=GB&language=en",
    "/desk/?show=snoozed",
    "/desk/?show=dismissed",
]


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200, url
    return len(captured)


def test_desk_pages_cost_the_same_queries_for_1000_stories_and_20000_articles(signed_in):
    small_stories = world.build(stories=12, articles=40, outlets=4)
    pages = [*TRIAGE_PAGES, reverse("desk:story", args=[small_stories[0].pk]), "/desk/inbox/"]
    small = {url: queries_for(signed_in, url) for url in pages}

    large_stories = world.build(stories=1000, articles=20000, outlets=199, start=100)
    assert Story.objects.open().count() == 1012
    # The best-ranked story of the large desk holds 20 articles, the small desk's 3 or 4.
    pages[-2] = reverse("desk:story", args=[large_stories[0].pk])
    large = {url: queries_for(signed_in, url) for url in pages}

    assert large == dict(zip(pages, small.values(), strict=True))
    listed = signed_in.get("/desk/").content.decode()
    assert listed.count("data-story=") == STORIES_ON_DESK
    assert "20 articles · 20 outlets" in listed
