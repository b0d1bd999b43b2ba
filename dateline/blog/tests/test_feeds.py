"""Feeds out, read back by feedparser and by our own wire parser."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse

from dateline.blog import services
from dateline.blog.domain.drafts import CommentaryDraft, ProseDraft, RawHtmlDraft
from dateline.blog.models import Label
from dateline.blog.tests.factories import citation, seed_post
from dateline.wire import services as wire
from dateline.wire.models import Article

pytestmark = pytest.mark.django_db

FEEDS = ["blog:feed_atom", "blog:feed_rss", "blog:feed_json"]
# feedparser 6 reads Atom and RSS, not JSON Feed; our wire parser reads all three.
XML_FEEDS = ["blog:feed_atom", "blog:feed_rss"]
LABEL_FEEDS = ["blog:label_feed_atom", "blog:label_feed_rss", "blog:label_feed_json"]


@pytest.fixture
def site():
    older = seed_post(1, labels=("Syria",))
    newer = seed_post(2, labels=("Iraq",), headline="Mosul: the “liberation” of الموصل")
    return older, newer


@pytest.mark.parametrize("name", XML_FEEDS)
def test_feedparser_reads_every_feed_with_full_content(client, site, name):
    older, newer = site
    response = client.get(reverse(name))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    assert titles == [newer.headline, older.headline]
    first = parsed.entries[0]
    content = first.content[0].value if "content" in first else first.summary
    assert "Read more" in content and "https://news.example.org/world/2" in content
    assert "WNU Editor:" in content
    assert first.link == f"http://testserver{newer.get_absolute_url()}"


@pytest.mark.parametrize("name", [*XML_FEEDS, "blog:label_feed_atom", "blog:label_feed_rss"])
def test_control_characters_in_a_post_leave_every_xml_feed_well_formed(client, name):
    # Pasted text carries them (a vertical tab is a line break in word processors); one in any
    # of the newest posts made Django's writer raise, so the feed was a 500 for everyone.
    bad = "Vertical\x0btab\x01and\ufffeco"
    seed_post(
        1,
        headline=f"Headline {bad}",
        byline=f"Byline {bad}",
        labels=(f"Label {bad}",),
        dateline_place=f"PLACE {bad}",
        parts=[
            citation(1, outlet_name=f"Outlet {bad}", source_headline=f"Source {bad}"),
            CommentaryDraft(speaker=f"Speaker {bad}", text=f"<p>Body {bad}</p>"),
        ],
    )
    for_label = name.startswith("blog:label")
    kwargs = {"slug": Label.objects.get().slug} if for_label else {}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry.title == "Headline Vertical tabandco"
    assert [tag.term for tag in entry.tags] == ["Label Vertical tabandco"]
    content = entry.content[0].value if "content" in entry else entry.summary
    assert "Body Vertical tabandco" in content
    if for_label:
        assert parsed.feed.title.endswith(": Label Vertical tabandco")


def test_a_post_without_a_byline_has_the_site_as_author_not_a_blank_one(client, settings):
    seed_post(1, byline="")
    seed_post(2, byline="WNU Editor")
    atom = client.get(reverse("blog:feed_atom")).content.decode()
    assert "<name/>" not in atom and "<name></name>" not in atom
    parsed = feedparser.parse(atom)
    assert parsed.feed.author == settings.SITE_NAME
    assert [entry.get("author") for entry in parsed.entries] == ["WNU Editor", None]
    rss = feedparser.parse(client.get(reverse("blog:feed_rss")).content)
    assert [entry.get("author") for entry in rss.entries] == ["WNU Editor", None]


def first_item_html(name: str, document: bytes) -> str:
    """The first entry's HTML content as the feed carries it (read without feedparser, which
    would resolve relative links itself)."""
    if name == "blog:feed_json":
        return json.loads(document)["items"][0]["content_html"]
    root = ElementTree.fromstring(document)
    atom = "{http://www.w3.org/2005/Atom}"
    found = root.find(
        f"{atom}entry/{atom}content" if name == "blog:feed_atom" else "channel/item/description"
    )
    assert found is not None and found.text
    return found.text


@pytest.mark.parametrize("name", FEEDS)
def test_links_in_a_post_are_absolute_in_every_feed(client, name):
    # A feed reader shows the post away from the site: "/2016/03/earlier/" would lead nowhere.
    html = (
        '<p>As <a href="/2016/03/earlier/">we reported</a>, <a href="#map">the map</a> and '
        '<a href="https://news.example.org/a?b=1&amp;c=2">their story</a>.</p>'
        '<p><img src="/media/images/map.png" alt="Map" /></p>'
    )
    post = seed_post(1, parts=[ProseDraft(html=html)])
    response = client.get(reverse(name))
    content = first_item_html(name, response.content)
    page = f"http://testserver{post.get_absolute_url()}"
    assert 'href="http://testserver/2016/03/earlier/"' in content
    assert f'href="{page}#map"' in content
    assert 'src="http://testserver/media/images/map.png"' in content
    assert 'href="https://news.example.org/a?b=1&amp;c=2"' in content
    assert 'href="/' not in content and 'src="/' not in content


@pytest.mark.parametrize("name", FEEDS)
def test_our_wire_parser_ingests_every_feed(client, site, name):
    response = client.get(reverse(name))
    feed = wire.add_feed(url=f"https://self.example/{name}", outlet_name="Ourselves")
    result = wire.ingest_document(feed, response.content, content_type=response["Content-Type"])
    assert result.new == 2
    titles = set(Article.objects.filter(feed=feed).values_list("title", flat=True))
    assert titles == {post.headline for post in site}


@pytest.mark.parametrize("name", LABEL_FEEDS)
def test_label_feeds_hold_only_that_label(client, site, name):
    older, _ = site
    response = client.get(reverse(name, kwargs={"slug": "syria"}))
    feed = wire.add_feed(url=f"https://self.example/{name}", outlet_name="Ourselves")
    assert wire.ingest_document(feed, response.content).new == 1
    assert list(Article.objects.filter(feed=feed).values_list("title", flat=True)) == [
        older.headline
    ]
    assert client.get(reverse(name, kwargs={"slug": "nowhere"})).status_code == 404


@pytest.mark.parametrize("name", XML_FEEDS)
def test_an_update_moves_the_entry_and_feed_updated_time(client, site, name):
    older, _ = site
    at = older.published_at + timedelta(days=3)
    services.append_update(older, text="Later news.", at=at)
    parsed = feedparser.parse(client.get(reverse(name)).content)
    entry = next(e for e in parsed.entries if e.title == older.headline)
    if name == "blog:feed_rss":  # RSS 2.0 has no updated time per item; the content shows it
        assert "Later news." in entry.summary
        return
    assert entry.updated_parsed[:6] == at.utctimetuple()[:6]
    assert "Later news." in (entry.content[0].value if "content" in entry else entry.summary)
    if name == "blog:feed_atom":
        assert parsed.feed.updated_parsed[:6] == at.utctimetuple()[:6]


@pytest.mark.parametrize("name", XML_FEEDS)
def test_characters_xml_forbids_never_reach_a_feed(client, name):
    # Text pasted from a word processor or imported from an old blog can hold C0 controls (Word's
    # vertical tab is its line break), U+FFFF or a reference like &#1; that the parser decodes.
    # XML 1.0 cannot carry them: one such post used to take the whole feed down with a 500.
    post = seed_post(
        1,
        headline="Bell\x07 and \ufffftab",
        labels=("Gaza\x01",),
        byline="Desk\x02",
        dateline_place="GAZA\x03",
        parts=[
            citation(1, outlet_name="Outlet\x04", source_headline="Their\x05 headline"),
            CommentaryDraft(speaker="Editor\x06", text="<p>Line\x0bbreak &#1;here</p>"),
            RawHtmlDraft(html="<p>Imported\x1f body &#x8;</p>"),
        ],
    )
    services.append_update(post, text="<p>Later\x0cnews</p>")
    response = client.get(reverse(name))
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    entry = parsed.entries[0]
    assert entry.title == "Bell and tab"
    content = entry.content[0].value if "content" in entry else entry.summary
    for text in ("Line break here", "Imported body", "Later news", "Outlet", "Their headline"):
        assert text in content
    assert [tag.term for tag in entry.tags] == ["Gaza"]


def test_entry_ids_survive_a_slug_change(client, site):
    older, _ = site
    before = {
        e.title: e.id for e in feedparser.parse(client.get("/feeds/atom.xml").content).entries
    }
    services.change_slug(older, "something else")
    after = {e.title: e.id for e in feedparser.parse(client.get("/feeds/atom.xml").content).entries}
    assert before == after


def test_json_feed_shape_and_update_time(client, site):
    older, _ = site
    at = older.published_at + timedelta(days=3)
    services.append_update(older, text="Later news.", at=at)
    body = json.loads(client.get(reverse("blog:feed_json")).content)
    updated = next(i for i in body["items"] if i["title"] == older.headline)
    assert updated["date_modified"] == at.isoformat()
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    assert body["feed_url"] == "http://testserver/feeds/feed.json"
    item = body["items"][0]
    assert set(item) >= {"id", "url", "title", "content_html", "date_published", "date_modified"}
    assert item["tags"] == ["Iraq"]
