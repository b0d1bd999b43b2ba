"""The feeds screen: follow a feed or a site, health, pause and resume, full text, OPML."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from dateline.desk.access import EDITOR_GROUP, MODERATOR_GROUP, grant
from dateline.wire import services as wire
from dateline.wire.models import Feed
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>
<link>https://gazette.example/</link><language>en</language>
<item><title>Ferry late</title><link>https://gazette.example/ferry</link><guid>f1</guid></item>
</channel></rss>"""
SITE = b"""<!DOCTYPE html><html><head><title>Gazette</title>
<link rel="alternate" type="application/rss+xml" title="Main" href="/rss.xml">
<link rel="alternate" type="application/atom+xml" title="Opinion" href="/opinion.atom">
</head><body>News.</body></html>"""
OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
<outline text="World"><outline type="rss" text="Rudaw" xmlUrl="https://www.rudaw.net/rss"/></outline>
<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/>
</body></opml>"""


@pytest.fixture
def editor_client(client):
    grant(get_user_model().objects.create_user("ed", password="a desk password"), EDITOR_GROUP)
    client.login(username="ed", password="a desk password")
    return client


def test_only_editors_reach_the_feeds_screen(client):
    assert client.get("/desk/feeds/")["Location"] == "/desk/login/?next=/desk/feeds/"
    moderator = get_user_model().objects.create_user("mod", password="a desk password")
    grant(moderator, MODERATOR_GROUP)
    client.login(username="mod", password="a desk password")
    assert client.get("/desk/feeds/").status_code == 403
    assert client.post("/desk/feeds/", {"url": "https://example.org/"}).status_code == 403
    assert not Feed.objects.exists()


def test_following_a_feed_address_lists_it_with_a_message(editor_client):
    with LoopbackServer() as server:
        url = server.route(
            "/rss.xml", Reply(body=RSS, headers={"Content-Type": "application/rss+xml"})
        )
        answer = editor_client.post("/desk/feeds/", {"url": url, "outlet_name": ""}, follow=True)
    body = answer.content.decode()
    feed = Feed.objects.get()
    assert feed.url == url and feed.outlet.name == "Harbour Gazette"
    assert "Following Harbour Gazette: its articles come in with the next poll." in body
    assert body.count('<li class="feed') == 1 and url in body


def test_a_site_address_follows_its_first_feed_and_names_the_others(editor_client):
    with LoopbackServer() as server:
        site = server.route("/", Reply(body=SITE, headers={"Content-Type": "text/html"}))
        server.route("/rss.xml", Reply(body=RSS, headers={"Content-Type": "application/rss+xml"}))
        answer = editor_client.post(
            "/desk/feeds/", {"url": site, "outlet_name": "The Gazette"}, follow=True
        )
    body = answer.content.decode()
    assert Feed.objects.get().url == server.url("/rss.xml")
    assert "The page also names Opinion: " + server.url("/opinion.atom") in body


@pytest.mark.parametrize(
    "address, error",
    [
        ("not a web address", "not a web address"),
        ("http://10.0.0.1/feed", "10.0.0.1"),  # the SSRF guard refuses a private address
        ("LOOPBACK/missing", "404"),
        ("LOOPBACK/page", "neither a feed nor a page that links to one"),
    ],
)
def test_an_address_that_gives_no_feed_is_explained_next_to_the_field(
    editor_client, address, error
):
    with LoopbackServer() as server:
        server.route("/page", Reply(body=b"<html><body>No feeds here</body></html>",
                                    headers={"Content-Type": "text/html"}))  # fmt: skip
        answer = editor_client.post(
            "/desk/feeds/", {"url": address.replace("LOOPBACK", server.url("").rstrip("/"))}
        )
    assert answer.status_code == 400
    form = answer.context["add_form"]
    assert error in " ".join(form.errors["url"])
    # Shown in the field's own block, beside its input.
    body = answer.content.decode()
    field = body[body.index('<label for="id_url"') : body.index('<label for="id_outlet_name"')]
    assert 'class="errorlist" id="id_url_error"' in field
    assert not Feed.objects.exists()


def test_pausing_asks_first_then_stops_polling_and_resuming_polls_at_once(editor_client):
    feed = wire.add_feed(url="https://gazette.example/rss", outlet_name="Harbour Gazette")
    url = reverse("desk:feed_active", args=[feed.pk])

    asked = editor_client.post(url)
    assert asked.status_code == 200 and "Pause Harbour Gazette?" in asked.content.decode()
    assert Feed.objects.get().active  # nothing done until confirmed

    paused = editor_client.post(url, {"confirmed": "yes"}, follow=True)
    assert "Paused Harbour Gazette." in paused.content.decode()
    assert not Feed.objects.get().active
    assert not Feed.objects.due(timezone.now()).exists()

    Feed.objects.update(stopped_reason="HTTP 410 Gone: the publisher removed this feed")
    resumed = editor_client.post(url, {"active": "on"}, follow=True)
    assert "Resumed" in resumed.content.decode()
    again = Feed.objects.get()
    assert again.active and again.stopped_reason == ""
    assert Feed.objects.due(timezone.now()).get() == again


def test_full_text_is_turned_on_and_off_per_feed(editor_client):
    feed = wire.add_feed(url="https://gazette.example/rss", outlet_name="Harbour Gazette")
    url = reverse("desk:feed_full_text", args=[feed.pk])
    on = editor_client.post(url, {"full_text": "on"}, follow=True)
    assert Feed.objects.get().fetch_full_text
    assert "will be fetched in full" in on.content.decode()
    assert "Stop fetching full text" in on.content.decode()
    editor_client.post(url)
    assert not Feed.objects.get().fetch_full_text


def test_an_unknown_feed_is_a_404_not_an_error_page(editor_client):
    assert editor_client.post(reverse("desk:feed_active", args=[999])).status_code == 404


def test_opml_in_and_out(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = editor_client.post(
        reverse("desk:import_opml"),
        {"opml": SimpleUploadedFile("mine.opml", OPML, content_type="text/x-opml")},
        follow=True,
    )
    body = answer.content.decode()
    assert "Imported: 1 new feed, 0 already followed." in body
    assert "Skipped 1 entry whose address is not a web address." in body
    assert Feed.objects.get().labels == ["World"]

    exported = editor_client.get(reverse("desk:export_opml"))
    assert exported["Content-Type"].startswith("text/x-opml")
    assert "attachment" in exported["Content-Disposition"]
    assert b'xmlUrl="https://www.rudaw.net/rss"' in exported.content


@pytest.mark.parametrize(
    "data",
    [b"<opml><body><outline", b"<!DOCTYPE x [<!ENTITY a 'b'>]><opml/>", b"\x00\xff" * 10],
    ids=["truncated", "doctype", "binary"],
)
def test_a_broken_opml_file_is_explained_next_to_its_field_and_adds_nothing(editor_client, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = editor_client.post(
        reverse("desk:import_opml"), {"opml": SimpleUploadedFile("bad.opml", data)}
    )
    assert answer.status_code == 400
    assert answer.context["import_form"].errors["opml"]
    assert 'id="id_opml_error"' in answer.content.decode()
    assert not Feed.objects.exists()


def test_health_shows_failing_feeds_first_with_their_error(editor_client):
    wire.add_feed(url="https://fine.example/rss", outlet_name="Fine")
    broken = wire.add_feed(url="https://broken.example/rss", outlet_name="Broken")
    Feed.objects.filter(pk=broken.pk).update(
        error_count=3, last_status=500, last_error="HTTP 500 from the server",
        last_fetched_at=timezone.now(),
    )  # fmt: skip
    body = editor_client.get("/desk/feeds/").content.decode()
    assert body.index("broken.example") < body.index("fine.example")
    assert "HTTP 500 from the server" in body and "Failing" in body
