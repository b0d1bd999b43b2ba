"""The desk's triage, story, confirmation and inbox screens pass the Nu Html Checker."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dateline.desk.models import UpdateSuggestion
from dateline.desk.tests import world
from dateline.stories import services as story_services
from tests.support import nu_checker

pytestmark = pytest.mark.django_db


def test_desk_screens_pass_the_nu_html_checker(signed_in, tmp_path):
    reason = nu_checker.missing()
    if reason:
        pytest.fail(f"the Nu Html Checker cannot run: {reason}")
    stories = world.build(stories=12, articles=60, outlets=5)
    story, other = stories[-1], stories[0]
    # The periodic pass merged another story into it: the story view shows it, with its undo.
    story_services.merge_stories(story, stories[1], automatic=True)
    article = story.articles.first()
    assert UpdateSuggestion.objects.exists() or UpdateSuggestion.objects.create(
        post=story.posts.get(), outlet=article.outlet, article=article, text="x",
        created_at=timezone.now(),
    )  # fmt: skip
    paths = {
        "triage": "/desk/",
        "triage-filtered": "/desk/?q=nothing+at+all",
        "triage-dismissed": "/desk/?show=dismissed",
        "triage-fragment": "/desk/?fragment=list",
        "story": f"/desk/stories/{story.pk}/",
        "merge": f"/desk/stories/{story.pk}/merge/?other={other.pk}",
        "move-out": f"/desk/stories/{story.pk}/move-out/{article.pk}/",
        "inbox": "/desk/inbox/",
    }
    pages = {}
    for name, path in paths.items():
        answer = signed_in.get(path)
        assert answer.status_code == 200, name
        pages[name] = answer.content
    # The poll's fragment is checked inside the page it lands in.
    fragment = pages.pop("triage-fragment").decode()
    pages["triage-fragment"] = pages["triage"].replace(
        pages["triage"][pages["triage"].index(b"<ol") : pages["triage"].index(b"</ol>") + 5],
        fragment.encode(),
    )
    problems = nu_checker.errors(pages, tmp_path)
    assert not problems, "\n".join(str(problem) for problem in problems)
