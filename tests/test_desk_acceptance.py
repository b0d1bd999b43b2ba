"""The Desk issue's acceptance walk, in real Chromium over a live server: an editor signs in, picks
a story on the triage list, composes a post quoting two ticked paragraphs and publishes it; a new
outlet then reports on the story, the worker runs once, the inbox suggests an Update, the editor
accepts it, and the public post, its update log and its Atom feed all show it.

The editor's actions from the story on the triage list to the published post are counted: at most
five clicks and key presses (typing counts as none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import lxml.etree
import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import BrowserContext

from dateline.blog.models import Post, PostStatus
from dateline.desk.access import EDITOR_GROUP, grant
from dateline.desk.models import UpdateSuggestion
from dateline.stories.models import Story
from dateline.wire import services as wire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long desk password"
ATOM = "{http://www.w3.org/2005/Atom}"


def rss(outlet: str, items: list[tuple[str, str, datetime, list[str]]]) -> bytes:
    """An outlet's RSS feed carrying each article's whole text (content:encoded), so the desk
    offers its paragraphs without fetching the page."""
    entries = "".join(
        f"""<item><title>{title}</title><link>https://{outlet}.example/{slug}</link>
        <guid>{outlet}-{slug}</guid><pubDate>{format_datetime(at)}</pubDate>
        <description>{paragraphs[0]}</description>
        <content:encoded><![CDATA[{"".join(f"<p>{p}</p>" for p in paragraphs)}]]></content:encoded>
        </item>"""
        for slug, title, at, paragraphs in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>{outlet}</title><link>https://{outlet}.example/</link><description>{outlet}</description>
<language>en</language>{entries}</channel></rss>""".encode()


STRIKE = [
    "Dock workers walked out at dawn on Tuesday, halting all container traffic at Rotterdam.",
    "The union said the strike over pay would last at least 48 hours.",
    "Shipping lines began diverting vessels to Antwerp and Hamburg by midday.",
]


def test_an_editor_publishes_a_story_and_accepts_an_update_in_at_most_five_actions(
    chromium, live_server
):
    now = datetime.now(UTC)
    gazette = wire.add_feed(url="https://gazette.example/rss", outlet_name="Harbour Gazette")
    courier = wire.add_feed(url="https://courier.example/rss", outlet_name="Nordic Courier")
    wire.ingest_document(
        gazette,
        rss(
            "gazette",
            [
                ("strike", "Harbour strike closes Rotterdam container terminals",
                 now - timedelta(hours=3), STRIKE),
                ("snow", "Snowfall cuts power to thousands in Quebec",
                 now - timedelta(hours=2), ["Heavy snow brought down lines across Quebec."]),
            ],
        ),
    )  # fmt: skip
    wire.ingest_document(
        courier,
        rss(
            "courier",
            [
                ("rotterdam", "Rotterdam dock strike halts container terminals",
                 now - timedelta(hours=2), ["Container terminals at Rotterdam stood idle."]),
            ],
        ),
    )  # fmt: skip
    call_command("worker", once=True)
    strike = Story.objects.get(headline__icontains="strike")
    assert strike.articles.count() == 2
    grant(get_user_model().objects.create_user("ed", password=PASSWORD), EDITOR_GROUP)

    def publish(context: BrowserContext) -> tuple[int, str]:
        page = context.new_page()
        page.goto(live_server.url + "/desk/")
        assert "/desk/login/" in page.url
        page.get_by_label("Username").fill("ed")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert page.url == live_server.url + "/desk/"
        actions = 0
        with page.expect_navigation():
            page.locator(".story-open", has_text="strike").click()  # open the story
        actions += 1
        with page.expect_navigation():
            page.locator("a.story-compose").click()  # compose from it
        actions += 1
        for words in ("Dock workers walked out", "The union said"):
            page.locator("label.paragraph", has_text=words).click()
            actions += 1
        page.locator("#id_commentary").fill("I doubt the port will reopen this week.")
        with page.expect_navigation():
            page.get_by_role("button", name="Publish", exact=True).click()
        actions += 1
        return actions, page.url

    actions, landed = chromium.run(publish, viewport={"width": 1280, "height": 900})
    post = Post.objects.get(status=PostStatus.PUBLISHED)
    assert actions <= 5
    assert landed == live_server.url + post.get_absolute_url()
    quote = post.parts.get(kind="citation").quoted_excerpt
    assert "Dock workers walked out" in quote and "The union said" in quote
    assert "Shipping lines" not in quote

    with httpx.Client(base_url=live_server.url, timeout=10) as reader:
        before = lxml.etree.fromstring(reader.get("/feeds/atom.xml").content)
    updated_before = before.findtext(f"{ATOM}entry/{ATOM}updated")

    # A third outlet reports on the story; the worker clusters it and the desk suggests an update.
    rudaw = wire.add_feed(url="https://rudaw.example/rss", outlet_name="RUDAW")
    wire.ingest_document(
        rudaw,
        rss(
            "rudaw",
            [
                ("port", "Rotterdam harbour strike keeps container terminals closed",
                 now - timedelta(minutes=5),
                 ["The strike at Rotterdam's container terminals went into its second day."]),
            ],
        ),
    )  # fmt: skip
    call_command("worker", once=True)
    suggestion = UpdateSuggestion.objects.get()
    assert suggestion.post_id == post.pk and suggestion.outlet.name == "RUDAW"

    def accept(context: BrowserContext) -> str:
        page = context.new_page()
        page.goto(live_server.url + "/desk/login/?next=/desk/inbox/")
        page.get_by_label("Username").fill("ed")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Update text").fill("The strike went into its second day.")
        with page.expect_navigation():
            page.get_by_role("button", name="Accept").click()
        return page.locator(".flash").inner_text()

    assert "Update added" in chromium.run(accept)

    with httpx.Client(base_url=live_server.url, timeout=10) as reader:
        public = reader.get(post.get_absolute_url()).text
        after = lxml.etree.fromstring(reader.get("/feeds/atom.xml").content)
    page = lxml.html.fromstring(public)
    update = page.cssselect(".update")[0].text_content()
    assert "Update:" in update and "The strike went into its second day." in update
    assert "(RUDAW: Rotterdam harbour strike keeps container terminals closed)" in " ".join(
        update.split()
    )
    log = [" ".join(line.text_content().split()) for line in page.cssselect(".update-log li")]
    assert len(log) == 1 and log[0].endswith("(RUDAW)")
    post.refresh_from_db()
    assert post.parts.filter(kind="update").count() == 1
    updated_after = after.findtext(f"{ATOM}entry/{ATOM}updated")
    assert updated_after > updated_before
