"""The compose screen in real Chromium: from a story to a published post by ticking two
paragraphs, with and without JavaScript, at a desk's width and a phone's; and the desk's new
pages pass the Nu Html Checker and axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from dateline.blog import services as blog_services
from dateline.blog.models import Post, PostStatus
from dateline.desk.access import EDITOR_GROUP, grant
from dateline.desk.tests.test_compose import BODY, make_story
from tests.support import nu_checker
from tests.support.axe import AXE_SCRIPT, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(live_server):
    """The session cookie of an editor signed in on the live server."""
    user = get_user_model().objects.create_user("ed", password="a desk password")
    grant(user, EDITOR_GROUP)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": cookie.value,
            "url": live_server.url,
        }
    ]


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    # To look at them: pytest --basetemp=DIR, then DIR/test_*/NAME.png.
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_from_a_story_to_a_published_post_in_three_actions(
    chromium, live_server, signed_in, tmp_path, javascript
):
    story = make_story(3, labels=["Ukraine", "Energy"])
    start = live_server.url + reverse("desk:compose_story", args=[story.pk])

    def walk(context: BrowserContext) -> tuple[int, str]:
        context.add_cookies(signed_in)
        page = context.new_page()
        page.goto(start, wait_until="load")
        assert page.locator("#id_headline").input_value().startswith("Drones strike Kyiv")
        actions = 0
        for text in ("Russian drones struck", "The attack was the largest"):
            page.locator("label.paragraph", has_text=text).click()
            actions += 1
        if javascript:
            assert page.locator(".tick-count").first.inner_text() == "(2 ticked)"
        page.locator("#id_commentary").fill("The grid will not last the winter.")
        _shot(page, tmp_path, f"compose-1280-{'js' if javascript else 'nojs'}")
        with page.expect_navigation():
            page.get_by_role("button", name="Publish", exact=True).click()
        actions += 1
        return actions, page.url

    actions, landed = chromium.run(
        walk, viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    post = Post.objects.get()
    assert actions == 3
    assert landed == live_server.url + post.get_absolute_url()
    assert post.status == PostStatus.PUBLISHED
    quote = post.parts.get(kind="citation").quoted_excerpt
    assert "Russian drones struck" in quote and "largest on the capital" in quote
    assert "Three districts" not in quote


def test_on_a_phone_the_screen_fits_and_publish_is_in_reach(
    chromium, live_server, signed_in, tmp_path
):
    story = make_story(2)

    def look(context: BrowserContext) -> dict[str, float]:
        context.add_cookies(signed_in)
        page = context.new_page()
        page.goto(live_server.url + reverse("desk:compose_story", args=[story.pk]))
        _shot(page, tmp_path, "compose-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        publish = page.get_by_role("button", name="Publish", exact=True).bounding_box()
        assert publish is not None
        return {"width": width, "publish_width": publish["width"]}

    seen = chromium.run(look, viewport={"width": 390, "height": 844}, is_mobile=True)
    assert seen["width"] <= 390  # nothing wider than the phone: no sideways scrolling
    assert seen["publish_width"] >= 200


def _desk_pages(live_server) -> dict[str, str]:
    story = make_story(3)
    best = story.articles.get(content=BODY)
    editor = get_user_model().objects.get(username="ed")
    post = blog_services.save_post(
        None, editor=editor, headline="Drones strike Kyiv", story=story, parts=[],
        status=PostStatus.PUBLISHED,
    )  # fmt: skip
    blog_services.save_post(
        post, editor=editor, headline="Drones strike Kyiv again", parts=[],
        status=PostStatus.PUBLISHED,
    )  # fmt: skip
    blog_services.append_update(post, text="<p>Power is back.</p>")
    return {
        "compose": reverse("desk:compose", args=[best.pk]),
        "edit": reverse("desk:edit_post", args=[post.pk]),
        "revisions": reverse("desk:revisions", args=[post.pk]),
        "clip": reverse("desk:clip") + "?url=https%3A%2F%2Fgazette.example%2Fx",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations_on_the_new_desk_pages(
    chromium, live_server, signed_in, tmp_path, scheme
):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is absent: run `make install` (npm ci installs axe-core)")
    pages = _desk_pages(live_server)

    def browse(context: BrowserContext) -> dict[str, list[str]]:
        context.add_cookies(signed_in)
        found = {}
        for name, path in pages.items():
            page = context.new_page()
            page.goto(live_server.url + path, wait_until="load")
            _shot(page, tmp_path, f"{name}-{scheme}")
            found[name] = serious_violations(page)
            page.close()
        return found

    found = chromium.run(browse, color_scheme=scheme, viewport={"width": 1280, "height": 900})
    assert not any(found.values()), found


def test_the_new_desk_pages_pass_the_nu_html_checker(live_server, signed_in, tmp_path):
    reason = nu_checker.missing()
    if reason:
        pytest.fail(f"the Nu Html Checker cannot run: {reason}")
    pages = _desk_pages(live_server)
    client = Client()
    client.force_login(get_user_model().objects.get(username="ed"))
    bodies = {name: client.get(path).content for name, path in pages.items()}
    failed = client.post(reverse("desk:clip"), {"url": "http://10.0.0.1/x"})
    assert failed.status_code == 400
    bodies["clip-failed"] = failed.content
    outlet_article = make_story(1).articles.first()
    type(outlet_article).objects.filter(pk=outlet_article.pk).update(
        content="", full_text_status="not-wanted"
    )
    bodies["fetching"] = client.get(reverse("desk:compose", args=[outlet_article.pk])).content
    assert b"Fetching the article" in bodies["fetching"]
    problems = nu_checker.errors(bodies, tmp_path)
    assert not problems, "\n".join(str(problem) for problem in problems)
