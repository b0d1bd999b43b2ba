"""The desk in real Chromium: triage driven from the keyboard, new stories arriving by the poll,
an update suggestion accepted from the inbox; axe and a phone's width on each screen, with
screenshots at 1280 and 390 pixels wide."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from dateline.desk import suggestions
from dateline.desk.access import EDITOR_GROUP, grant
from dateline.desk.models import StoryDeskState, UpdateSuggestion
from dateline.desk.tests import world
from dateline.stories import services as story_services
from dateline.stories.models import Story, StoryArticle
from dateline.wire.models import Article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a desk password"


@pytest.fixture
def desk(live_server):
    grant(get_user_model().objects.create_user("ed", password=PASSWORD), EDITOR_GROUP)
    stories = world.build(stories=8, articles=40, outlets=6)
    StoryDeskState.objects.all().delete()
    UpdateSuggestion.objects.all().delete()
    return stories


def signed_in(context: BrowserContext, base: str, path: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}{path}")
    page.get_by_label("Username").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    return page


def selected_headline(page: Page) -> str:
    return page.locator(".desk-story.is-selected .story-open").inner_text()


def test_triage_from_the_keyboard(chromium, live_server, desk):
    headlines = [story.headline for story in desk]

    def browse(context: BrowserContext) -> dict[str, str]:
        page = signed_in(context, live_server.url, "/desk/")
        seen = {"url": page.url}
        page.keyboard.press("j")
        seen["first"] = selected_headline(page)
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        seen["second"] = selected_headline(page)
        with page.expect_navigation():
            page.keyboard.press("x")  # dismiss the second
        seen["message"] = page.locator(".flash").inner_text()
        seen["listed"] = "|".join(page.locator(".story-open").all_inner_texts())
        page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("s")  # snooze the first
        seen["snoozed"] = page.locator(".flash").inner_text()
        page.keyboard.press("?")
        seen["keys"] = str(page.locator("#triage-keys").evaluate("d => d.open"))
        page.keyboard.press("?")
        page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("o")
        seen["opened"] = page.url
        page.go_back()
        page.keyboard.press("j")
        with page.expect_navigation():
            page.keyboard.press("c")
        seen["composed"] = page.url
        # Typing in the filter box types; it moves nothing.
        page.goto(live_server.url + "/desk/")
        page.get_by_label("Text").fill("jjj")
        seen["typed"] = page.get_by_label("Text").input_value()
        return seen

    seen = chromium.run(browse, viewport={"width": 1280, "height": 900})
    assert seen["url"].endswith("/desk/")
    assert seen["first"] == headlines[0] and seen["second"] == headlines[1]
    assert seen["message"] == f"Dismissed “{headlines[1]}”."
    assert headlines[1] not in seen["listed"].split("|")
    assert seen["snoozed"].startswith(f"Snoozed “{headlines[0]}” until ")
    assert seen["keys"] == "True"
    assert seen["opened"].endswith(f"/desk/stories/{desk[2].pk}/")
    assert re.search(r"/desk/compose/(story/)?\d+/$", seen["composed"])
    assert seen["typed"] == "jjj"
    states = dict(StoryDeskState.objects.values_list("story_id", "dismissed"))
    assert states == {desk[1].pk: True, desk[0].pk: False}


def test_a_new_story_appears_without_a_reload(chromium, live_server, desk):
    # The browser's thread may not touch the database: the new story is written first, snoozed
    # for a moment, so the page opens without it and the poll finds it once the snooze is over.
    article = Article.objects.create(
        outlet=desk[0].first_article.outlet, guid="breaking", url="https://x.example/b",
        title="Breaking: a new story", published_at=timezone.now(),
    )  # fmt: skip
    story = Story.objects.create(
        headline=article.title,
        first_seen_at=timezone.now(),
        last_seen_at=timezone.now(),
        rank_key=10_000.0,
    )
    StoryArticle.objects.create(story=story, article=article)
    until = timezone.now() + timedelta(seconds=3)
    StoryDeskState.objects.create(story=story, snoozed_until=until, changed_at=timezone.now())

    def browse(context: BrowserContext) -> tuple[str, str, int, int, str]:
        page = signed_in(context, live_server.url, "/desk/")
        before = page.locator(".desk-story").count()
        page.keyboard.press("j")
        page.evaluate("window.marker = 'same page'")
        # Polled as the page's timer would, only more often: the first polls may come before
        # the snooze is over.
        page.wait_for_function(
            "() => { window.datelineTriagePoll(); return document.querySelector('.is-new'); }",
            polling=500,
            timeout=40_000,
        )
        return (
            page.locator("#triage-news").inner_text(),
            page.evaluate("window.marker"),
            page.locator(".desk-story.is-selected").count(),
            page.locator(".desk-story").count() - before,
            page.evaluate("document.activeElement.className"),
        )

    news, marker, selected, added, focused = chromium.run(browse)
    assert news == "1 new story." and marker == "same page" and selected == 1 and added == 1
    assert focused == "story-open"  # the keys still act on the selected story


def test_accepting_an_update_from_the_inbox(chromium, live_server, desk):
    story = desk[-1]  # story 0, covered by a post
    post = story.posts.get()
    report = Article.objects.create(
        outlet=world.Outlet.objects.create(name="RUDAW", country="IQ"),
        guid="rudaw-1", url="https://rudaw.example/1", title="Kurdish forces confirm the talks",
        summary="<p>Kurdish officials confirmed the talks on Tuesday.</p>",
    )  # fmt: skip
    StoryArticle.objects.create(story=story, article=report)
    assert suggestions.suggest_updates(Story, story=story, article=report) == 1

    def browse(context: BrowserContext) -> tuple[str, str, str]:
        page = signed_in(context, live_server.url, "/desk/inbox/")
        count = page.locator(".desk-count").first.inner_text()
        page.get_by_label("Update text").fill("Kurdish forces confirmed the talks.")
        with page.expect_navigation():
            page.get_by_role("button", name="Accept").click()
        message = page.locator(".flash").inner_text()
        public = context.new_page()
        public.goto(live_server.url + post.get_absolute_url())
        return count, message, public.locator(".update").inner_text()

    count, message, update = chromium.run(browse)
    assert count.startswith("1")
    assert message == f"Update added to “{post.headline}”."
    assert "Kurdish forces confirmed the talks." in update
    assert "RUDAW: Kurdish forces confirm the talks" in update


def _serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_desk_screens_pass_axe_and_fit_the_screen(chromium, live_server, desk, tmp_path, width):
    story = desk[-1]
    report = Article.objects.create(
        outlet=world.Outlet.objects.get(name="Outlet 5"), guid="late", url="https://o5.example/l",
        title="A late report", summary="<p>Later.</p>",
    )  # fmt: skip
    UpdateSuggestion.objects.create(
        post=story.posts.get(), outlet=report.outlet, article=report, text="A late report",
        created_at=timezone.now(),
    )  # fmt: skip
    # The periodic pass merged a story into it: the story view shows the merge and its undo.
    story_services.merge_stories(story, desk[1], automatic=True)
    screens = {
        "triage": "/desk/",
        "story": f"/desk/stories/{story.pk}/",
        "inbox": "/desk/inbox/",
        "merge": f"/desk/stories/{story.pk}/merge/?other={desk[0].pk}",
    }

    def browse(context: BrowserContext) -> dict[str, list[str]]:
        page = signed_in(context, live_server.url, "/desk/")
        found = {}
        for name, path in screens.items():
            page.goto(live_server.url + path)
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            found[name] = _serious_violations(page) + (
                [f"{overflow}px wider than the screen"] if overflow > 0 else []
            )
        return found

    found = chromium.run(browse, viewport={"width": width, "height": 900})
    assert not {name: problems for name, problems in found.items() if problems}
