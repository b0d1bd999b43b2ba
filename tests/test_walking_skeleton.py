"""The whole path, over real HTTP: feed -> articles -> story -> the editor's post -> the public
page -> a reader's comment, shown once the editor approves it."""

from datetime import timedelta
from pathlib import Path

import httpx
import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from dateline.comments import services as comment_services
from dateline.desk.access import EDITOR_GROUP, grant
from dateline.stories.models import Story
from dateline.wire import services as wire

DATA = Path(__file__).resolve().parent / "data"
pytestmark = pytest.mark.django_db(transaction=True)


def form_fields(page: httpx.Response, selector: str) -> dict[str, str]:
    form = lxml.html.fromstring(page.text).cssselect(selector)[0]
    return {field.name: field.value or "" for field in form.inputs if field.name}


def test_from_feed_to_approved_comment(live_server):
    # The wire reads two outlets' feeds.
    feed_a = wire.add_feed(url="https://outlet-a.example/rss", outlet_name="Outlet A")
    feed_b = wire.add_feed(url="https://outlet-b.example/atom", outlet_name="Outlet B")
    assert wire.ingest_document(feed_a, (DATA / "skeleton-outlet-a.rss.xml").read_bytes()).new == 2
    assert wire.ingest_document(feed_b, (DATA / "skeleton-outlet-b.atom.xml").read_bytes()).new == 1

    # The worker groups them: both outlets' strike reports form one story.
    call_command("worker", once=True)
    strike = Story.objects.get(headline__icontains="strike")
    assert {a.outlet.name for a in strike.articles.all()} == {"Outlet A", "Outlet B"}
    assert Story.objects.count() == 2

    editor_user = get_user_model().objects.create_user("ed", password="a long desk password")
    grant(editor_user, EDITOR_GROUP)
    with httpx.Client(base_url=live_server.url, follow_redirects=True, timeout=10) as editor:
        login = editor.get("/desk/login/")
        fields = form_fields(login, "main form")
        fields.update(username="ed", password="a long desk password")
        assert editor.post("/desk/login/", data=fields).url.path == "/desk/"

        desk = editor.get("/desk/")
        compose_link = lxml.html.fromstring(desk.text).xpath(
            "//li[contains(., 'Outlet A')]//a[contains(@href, '/desk/compose/')]/@href"
        )
        assert compose_link, "the desk offers to compose a post from the story's article"
        compose = editor.get(compose_link[0])
        if "Fetching the article" in compose.text:
            # The feed carries only summaries: the desk fetches the page (which fails here,
            # the outlet being made up) while saying so, then offers the summary to quote.
            compose = editor.get(f"{compose_link[0]}?text=now")
        form = lxml.html.fromstring(compose.text).get_element_by_id("compose")
        fields = {
            field.name: field.value or ""
            for field in form.inputs
            if field.name and getattr(field, "type", "") not in ("checkbox", "submit")
        }
        assert "halting" in compose.text
        boxes = form.xpath(".//input[@type='checkbox'][contains(@name, 'paragraphs')]")
        fields.update(
            headline="Rotterdam's port shut by strike",
            commentary="The second strike this year.",
            action="publish",
        )
        fields[boxes[0].name] = boxes[0].get("value")  # the summary's one paragraph, ticked
        published = editor.post(compose_link[0], data=fields)
        assert published.status_code == 200
        post_path = published.url.path

    reader = httpx.Client(base_url=live_server.url, timeout=10)
    page = reader.get(post_path)
    assert page.status_code == 200
    assert "Rotterdam&#x27;s port shut by strike" in page.text or "Rotterdam's port" in page.text
    assert "Outlet A" in page.text and "Harbour strike closes Rotterdam" in page.text
    assert "https://outlet-a.example/rotterdam-strike" in page.text
    assert "The second strike this year." in page.text
    assert "<script>alert(1)" not in page.text

    # A reader comments anonymously; it waits for moderation.
    fields = form_fields(page, "form.comment-form")
    fields.update(body="Thanks for the quick summary.", author_name="")
    # The form was rendered a while ago, as for a person who read the post first.
    fields["stamp"] = comment_services.form_stamp(timezone.now() - timedelta(minutes=2))
    action = lxml.html.fromstring(page.text).cssselect("form.comment-form")[0].get("action")
    thanks = reader.post(action, data=fields)
    # The comments issue's wording; the walk only needs to know it waits.
    assert thanks.status_code == 200 and "once a moderator has read it" in thanks.text
    assert "Thanks for the quick summary." not in reader.get(post_path).text

    with httpx.Client(base_url=live_server.url, follow_redirects=True, timeout=10) as editor:
        fields = form_fields(editor.get("/desk/login/"), "main form")
        fields.update(username="ed", password="a long desk password")
        editor.post("/desk/login/", data=fields)
        queue = editor.get("/desk/comments/")
        assert "Thanks for the quick summary." in queue.text
        approve = form_fields(queue, "article.pending-comment form")
        action = (
            lxml.html.fromstring(queue.text)
            .cssselect("article.pending-comment form")[0]
            .get("action")
        )
        editor.post(action, data={**approve, "decision": "approve"})

    shown = reader.get(post_path).text
    assert "Thanks for the quick summary." in shown
    assert "Anonymous" in shown
    reader.close()
