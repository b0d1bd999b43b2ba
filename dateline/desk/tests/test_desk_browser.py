"""The desk in real Chromium: axe on every page in both themes, pictures at a desktop's and a
phone's width, focus, and the confirmation before a destructive action with and without
JavaScript.

The pictures are kept under the test's tmp_path (`pytest --basetemp=DIR` to look at them); the
test checks what can be checked in them: nothing wider than the screen, and the page's heading
and navigation drawn.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page

from dateline.desk.tests.desk_site import EDITOR, build_desk_site
from dateline.wire.models import Feed
from tests.support.axe import AXE_SCRIPT, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def site(live_server):
    return build_desk_site()


def signed_in(context: BrowserContext, base: str) -> Page:
    """Signs in through the sign-in form, as an editor does, and returns the page it lands on."""
    page = context.new_page()
    page.goto(base + "/desk/")
    assert "/desk/login/" in page.url
    page.get_by_label("Username").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == base + "/desk/"
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_desk_page_has_no_serious_axe_violation_fits_the_screen_and_is_pictured(
    chromium, live_server, site, scheme, tmp_path
):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is absent: run `make install` (npm ci installs axe-core)")

    def look(page: Page, name: str, width_name: str, found: dict[str, list[str]]) -> None:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        problems = [f"{overflow}px wider than the screen"] if overflow > 0 else []
        assert page.locator("h1").count() == 1, name
        page.screenshot(path=str(tmp_path / f"{name}-{width_name}-{scheme}.png"), full_page=True)
        if width_name == "desktop":
            problems += serious_violations(page)
        found[f"{name} at {width_name}"] = problems

    def browse(context: BrowserContext, width_name: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        page = context.new_page()
        for name, path in site.public_pages.items():
            page.goto(live_server.url + path)
            look(page, name, width_name, found)
        page = signed_in(context, live_server.url)
        for name, path in site.pages.items():
            page.goto(live_server.url + path)
            look(page, name, width_name, found)
        page.goto(live_server.url + "/desk/feeds/")
        page.get_by_label("Feed or site address").fill("not a web address")
        with page.expect_navigation():
            page.get_by_role("button", name="Follow").click()
        look(page, "feeds-error", width_name, found)
        # The confirmation page a browser without the script gets, then the flash message.
        card = page.locator("li.feed", has_text="gb.example/rss")
        card.locator("form[data-confirm]").evaluate("form => form.removeAttribute('data-confirm')")
        with page.expect_navigation():
            card.get_by_role("button", name="Pause").click()
        look(page, "confirm", width_name, found)
        with page.expect_navigation():
            page.get_by_role("button", name="Pause the feed").click()
        look(page, "feeds-paused", width_name, found)
        with page.expect_navigation():
            page.locator("li.feed", has_text="gb.example/rss").get_by_role(
                "button", name="Resume"
            ).click()
        return found

    problems: dict[str, list[str]] = {}
    for width_name, width in WIDTHS.items():
        problems |= chromium.run(
            lambda context, width_name=width_name: browse(context, width_name),
            color_scheme=scheme,
            viewport={"width": width, "height": 900},
        )
    assert not {name: found for name, found in problems.items() if found}


def test_the_desk_follows_the_public_sites_light_and_dark_themes(chromium, live_server, site):
    def colours(scheme: str) -> list[str]:
        def browse(context: BrowserContext) -> list[str]:
            page = context.new_page()
            page.goto(live_server.url + "/desk/login/")
            desk = page.evaluate("getComputedStyle(document.body).backgroundColor")
            page.goto(live_server.url + "/")
            public = page.evaluate("getComputedStyle(document.body).backgroundColor")
            return [desk, public]

        return chromium.run(browse, color_scheme=scheme)

    light, dark = colours("light"), colours("dark")
    assert light[0] == light[1] and dark[0] == dark[1] and light[0] != dark[0]


def test_keyboard_focus_is_visible_on_the_desk(chromium, live_server, site):
    def browse(context: BrowserContext) -> list[tuple[str, str, float]]:
        page = signed_in(context, live_server.url)
        seen = []
        for _ in range(5):
            page.keyboard.press("Tab")
            seen.append(tuple(page.evaluate(
                "() => { const e = document.activeElement, s = getComputedStyle(e);"
                " return [e.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )))  # fmt: skip
        return seen

    seen = chromium.run(browse)
    assert seen[0][0] == "Skip to content"
    for text, style, width in seen:
        assert style != "none" and width >= 2, f"{text!r} shows no focus ring"


def test_pausing_a_feed_asks_first_with_javascript_and_without(chromium, live_server, site):
    def with_script(context: BrowserContext) -> list[str]:
        page = signed_in(context, live_server.url)
        page.goto(live_server.url + "/desk/feeds/")
        asked: list[str] = []

        def answer(dialog) -> None:  # type: ignore[no-untyped-def]
            asked.append(dialog.message)
            dialog.dismiss() if len(asked) == 1 else dialog.accept()

        page.on("dialog", answer)
        card = page.locator("li.feed", has_text="gb.example/rss")
        card.get_by_role("button", name="Pause").click()  # dismissed: stays
        assert page.url == live_server.url + "/desk/feeds/"
        with page.expect_navigation():
            card.get_by_role("button", name="Pause").click()
        asked.append(page.locator(".flash").inner_text())
        return asked

    asked = chromium.run(with_script)
    assert asked[0] == "Pause Harbour Gazette? Nothing new comes from it until you resume it."
    assert "Paused" in asked[-1]
    assert not Feed.objects.get(url="https://gb.example/rss").active

    def without_script(context: BrowserContext) -> str:
        page = signed_in(context, live_server.url)
        page.goto(live_server.url + "/desk/feeds/")
        card = page.locator("li.feed", has_text="iq.example/rss")
        with page.expect_navigation():
            card.get_by_role("button", name="Pause").click()
        question = page.locator("main").inner_text()
        with page.expect_navigation():
            page.get_by_role("link", name="Cancel").click()
        # Cancelled: the feed is polled as before.
        assert card.get_by_role("button", name="Pause").count() == 1
        with page.expect_navigation():
            card.get_by_role("button", name="Pause").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Pause the feed").click()
        return question + "\n" + page.locator(".flash").inner_text()

    text = chromium.run(without_script, java_script_enabled=False)
    assert "Are you sure?" in text and "Pause Rudaw English?" in text
    assert "Paused Rudaw English." in text
    assert not Feed.objects.get(url="https://iq.example/rss").active
