"""The public site in real Chromium: home, a post, search, and what the reader actually sees.

The screenshot check takes a picture of the post page and confirms, with the elements' boxes,
that the source line, the quote, the Read more link, the update and the commentary are drawn on
it (inside the picture, with ink in their box, not hidden or off the page).
"""

from __future__ import annotations

import pytest
from PIL import Image as PillowImage
from PIL import ImageStat
from playwright.sync_api import BrowserContext, Page

from dateline.blog.tests.public_site import build_public_site
from tests.support.axe import AXE_SCRIPT, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The parts of a post a reader must see: the part, and a selector for it on the post page.
SEEN_ON_THE_POST = {
    "source line": ".citation .source-line",
    "quote": ".citation blockquote",
    "read more": ".citation .read-more a",
    "update": ".post-body .update",
    "commentary": ".post-body .commentary",
}


@pytest.fixture
def site(live_server):
    return build_public_site()


def open_page(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    response = page.goto(url, wait_until="load")
    assert response is not None
    return page


def test_home_page_lists_posts_under_day_headers_and_links_to_them(chromium, live_server, site):
    def browse(context: BrowserContext) -> str:
        page = open_page(context, live_server.url + "/")
        headers = page.locator("h2.day-header").all_inner_texts()
        assert headers[:2] == ["THURSDAY, MARCH 31, 2016", "WEDNESDAY, MARCH 30, 2016"]
        # The untitled post is listed; the page is not.
        assert page.locator("article.post-card").count() == 4
        card = page.locator("article.post-card", has_text="planning joint operation' in Raqqa")
        assert card.locator(".source-line").inner_text().startswith("The Guardian:")
        assert card.locator("img.card-image").evaluate("img => img.naturalWidth") == 1200
        with page.expect_navigation():
            card.get_by_role(
                "link", name="Russia and US 'planning joint operation' in Raqqa"
            ).click()
        return page.url

    assert chromium.run(browse) == live_server.url + site.post.get_absolute_url()


def test_post_screenshot_shows_source_line_quote_read_more_update_and_commentary(
    chromium, live_server, site, tmp_path
):
    screenshot = tmp_path / "post.png"

    def browse(context: BrowserContext) -> dict[str, dict[str, float]]:
        page = open_page(context, live_server.url + site.post.get_absolute_url())
        page.screenshot(path=str(screenshot), full_page=True)
        boxes = {}
        for name, selector in SEEN_ON_THE_POST.items():
            element = page.locator(selector).first
            assert element.is_visible(), f"the {name} is not visible"
            box = element.bounding_box()
            assert box is not None, f"the {name} has no box"
            boxes[name] = dict(box)
        assert page.locator(".citation .read-more a").get_attribute("href") == (
            "https://news.example.org/world/3"
        )
        assert "Kurdish forces confirmed the talks." in page.locator(".update").inner_text()
        return boxes

    boxes = chromium.run(browse, viewport={"width": 1024, "height": 768})
    with PillowImage.open(screenshot) as picture:
        width, height = picture.size
        for name, box in boxes.items():
            left, top = box["x"], box["y"]
            right, bottom = left + box["width"], top + box["height"]
            assert box["width"] > 10 and box["height"] > 5, f"the {name} is squashed: {box}"
            assert left >= 0 and right <= width and top >= 0 and bottom <= height, (
                f"the {name} lies outside the {width}x{height} screenshot: {box}"
            )
            # Something is drawn there: text or a background differs from one flat colour.
            region = picture.convert("L").crop((int(left), int(top), int(right), int(bottom)))
            assert max(ImageStat.Stat(region).stddev) > 5, f"nothing is drawn where the {name} is"


def test_search_from_the_form_shows_highlighted_results_and_says_when_none(
    chromium, live_server, site
):
    def browse(context: BrowserContext) -> None:
        page = open_page(context, live_server.url + "/search/")
        page.get_by_label("Search posts").fill("Raqqa")
        with page.expect_navigation():
            page.get_by_role("button", name="Search").click()
        assert "q=Raqqa" in page.url
        results = page.locator("ol.results li.result")
        assert results.count() >= 1
        assert page.locator(".result-count").inner_text().endswith("for “Raqqa”")
        assert page.locator("ol.results mark").first.inner_text().lower() == "raqqa"
        page.get_by_label("Search posts").fill("nothing like this")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.locator(".result-count").inner_text().startswith("0 results")

    chromium.run(browse)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violations_on_any_public_page(
    chromium, live_server, site, scheme
):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is absent: run `make install` (npm ci installs axe-core)")

    def browse(context: BrowserContext) -> dict[str, list[str]]:
        found = {}
        for name, path in site.pages.items():
            page = open_page(context, live_server.url + path)
            found[name] = serious_violations(page)
            page.close()
        return found

    found = chromium.run(browse, color_scheme=scheme)
    assert not {name: problems for name, problems in found.items() if problems}


def test_dark_theme_follows_the_system_setting(chromium, live_server, site):
    def background(scheme: str) -> str:
        def browse(context: BrowserContext) -> str:
            page = open_page(context, live_server.url + "/")
            return page.evaluate("getComputedStyle(document.body).backgroundColor")

        return chromium.run(browse, color_scheme=scheme)

    assert background("light") == "rgb(255, 255, 255)"
    assert background("dark") == "rgb(20, 20, 20)"


def test_keyboard_focus_is_visible_and_skips_to_content(chromium, live_server, site):
    def browse(context: BrowserContext) -> None:
        page = open_page(context, live_server.url + site.post.get_absolute_url())
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement, s = getComputedStyle(e);"
            " return [e.textContent, s.outlineStyle, parseFloat(s.outlineWidth),"
            " e.getBoundingClientRect().left]; }"
        )
        assert focused[0] == "Skip to content"
        assert focused[1] != "none" and focused[2] >= 2, "the focused link has no outline"
        assert focused[3] >= 0, "the focused skip link stays off screen"
        page.keyboard.press("Tab")
        style = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert style != "none"

    chromium.run(browse)


def test_the_post_reads_without_javascript_and_fits_a_phone(chromium, live_server, site):
    def browse(context: BrowserContext) -> None:
        page = open_page(context, live_server.url + site.post.get_absolute_url())
        for name, selector in SEEN_ON_THE_POST.items():
            assert page.locator(selector).first.is_visible(), f"the {name} is not visible"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than a phone screen"
        assert page.locator("h1").count() == 1

    chromium.run(browse, java_script_enabled=False, viewport={"width": 360, "height": 740})


def test_right_to_left_posts_render_right_to_left(chromium, live_server, site):
    def browse(context: BrowserContext) -> list[str]:
        page = open_page(context, live_server.url + site.rtl_post.get_absolute_url())
        return [
            page.locator("h1.post-title").evaluate("e => getComputedStyle(e).direction"),
            page.locator(".commentary").evaluate("e => getComputedStyle(e).direction"),
            page.locator(".read-more").evaluate("e => getComputedStyle(e).direction"),
        ]

    assert chromium.run(browse) == ["rtl", "rtl", "rtl"]
