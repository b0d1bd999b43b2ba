"""The public pages, through Django's test client and reverse()."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services
from dateline.blog.domain.drafts import CitationDraft
from dateline.blog.models import Post, PostStatus
from dateline.blog.tests.factories import prose_post, seed_post

pytestmark = pytest.mark.django_db


def post_url(post) -> str:
    return post.get_absolute_url()


def test_home_shows_posts_under_day_headers_with_source_line_quote_and_read_more(client):
    seed_post(1)
    seed_post(2, labels=("Russia",))
    html = client.get(reverse("blog:home")).content.decode()
    assert "Wednesday, March 30, 2016" in html
    assert "The Guardian" in html
    assert "Russia and US &#x27;planning joint operation&#x27; number 2" in html
    assert "<blockquote" in html and "at an advanced stage" in html
    assert 'href="https://news.example.org/world/1"' in html
    assert "Read more" in html
    assert "RAQQA, Syria" in html
    # links between pages are root-relative
    assert 'href="/2016/03/joint-operation-planned-in-raqqa-1/"' in html


def test_day_headers_follow_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "Asia/Baghdad"  # UTC+3: 22:30 UTC on the 30th is the 31st there
    seed_post(1, at=datetime(2016, 3, 30, 22, 30, tzinfo=UTC))
    html = client.get(reverse("blog:home")).content.decode()
    assert "Thursday, March 31, 2016" in html


def test_drafts_scheduled_and_private_posts_are_not_shown(client):
    shown = seed_post(1)
    hidden = [
        seed_post(2, status=PostStatus.DRAFT),
        seed_post(3, status=PostStatus.PRIVATE),
        seed_post(4, status=PostStatus.SCHEDULED, at=timezone.now() + timedelta(days=1)),
    ]
    html = client.get(reverse("blog:home")).content.decode()
    assert shown.headline in html
    for post in hidden:
        assert post.headline not in html
        assert client.get(post_url(post)).status_code == 404


def test_post_page_renders_parts_update_log_labels_and_neighbours(client):
    first = seed_post(1)
    middle = seed_post(2, labels=("Syria", "Russia"))
    last = seed_post(3)
    services.append_update(
        middle,
        text="Kurdish forces confirmed the advance.",
        citation=CitationDraft(
            outlet_name="RUDAW", source_headline="", url="https://rudaw.example/a"
        ),
    )
    response = client.get(post_url(middle))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and middle.headline in html
    assert "WNU Editor:" in html
    assert "Update:" in html and "Kurdish forces confirmed the advance." in html
    assert ">RUDAW</a>" in html
    assert "Update log" in html
    assert 'href="/label/russia/"' in html
    assert f'href="{first.get_absolute_url()}" rel="prev"' in html
    assert f'href="{last.get_absolute_url()}" rel="next"' in html
    assert '"@type":"NewsArticle"' in html
    assert '"isBasedOn":["https://news.example.org/world/2","https://rudaw.example/a"]' in html
    assert 'property="og:title"' in html
    assert 'rel="canonical" href="http://testserver/2016/03/' in html


def test_hostile_headline_cannot_break_out_of_json_ld(client):
    post = seed_post(1, headline="</script><script>alert(1)</script>")
    html = client.get(post_url(post)).content.decode()
    assert "<script>alert(1)" not in html


def test_blogger_style_and_old_slug_and_wrong_month_urls_redirect_permanently(client):
    post = seed_post(1)
    canonical = post_url(post)
    old = post.slug
    response = client.get(f"/2016/03/{old}.html")
    assert (response.status_code, response["Location"]) == (301, canonical)
    services.change_slug(post, "renamed")
    post.refresh_from_db()
    response = client.get(canonical)
    assert (response.status_code, response["Location"]) == (301, post_url(post))
    response = client.get(f"/2015/01/{post.slug}/")
    assert (response.status_code, response["Location"]) == (301, post_url(post))
    assert client.get("/2016/03/no-such-post/").status_code == 404
    assert client.get("/2016/03/no-such-post.html").status_code == 404


def test_a_label_or_post_address_typed_with_capitals_redirects_to_its_own(client):
    # Readers type a label as it reads ("Syria"); slugs are lower case.
    post = seed_post(1, headline="Aleppo Talks Resume", labels=("Syria",))
    answers = {
        "/label/Syria/": "/label/syria/",
        "/label/SYRIA/page/2/": "/label/syria/page/2/",
        "/2016/03/Aleppo-Talks-Resume/": post.get_absolute_url(),
    }
    for typed, own in answers.items():
        answer = client.get(typed)
        assert (answer.status_code, answer["Location"]) == (301, own), typed
    for unknown in ("/label/Nope/", "/2016/03/Nope/"):
        assert client.get(unknown).status_code == 404


def test_an_address_with_decomposed_accents_redirects_to_its_own(client):
    # macOS and some clients send "é" as "e" and a combining accent (NFD); slugs are stored
    # composed (NFC). Before, such an address was a 404 (the accent is no word character).
    post = seed_post(1, headline="Réfugiés à Alep", labels=("Sécurité", "أمن"))
    own_post = post.get_absolute_url()
    assert "r%C3%A9fugi%C3%A9s" in own_post
    answers = {
        "/label/se\u0301curite\u0301/": "/label/s%C3%A9curit%C3%A9/",
        "/label/se\u0301curite\u0301/page/2/": "/label/s%C3%A9curit%C3%A9/page/2/",
        # Arabic too: alef with hamza above, decomposed.
        "/label/\u0627\u0654\u0645\u0646/": "/label/%D8%A3%D9%85%D9%86/",
        unicodedata.normalize("NFD", unquote(own_post)): own_post,
    }
    for typed, own in answers.items():
        answer = client.get(quote(typed))
        assert (answer.status_code, answer.get("Location")) == (301, own), typed
    # A feed answers at either spelling.
    feed = client.get(quote("/label/se\u0301curite\u0301/atom.xml"))
    assert feed.status_code == 200 and post.headline in feed.content.decode()
    # Still no page for what no slug can be: a lone accent, a NUL byte, a dot.
    for unknown in ("/label/\u0301/", "/label/%00/", "/label/a.b/", "/2016/03/a%00b/"):
        assert client.get(unknown).status_code == 404, unknown


def test_a_post_and_label_whose_slugs_hold_vowel_signs_answer_at_their_addresses(client):
    post = seed_post(1, headline="भारत-पाकिस्तान युद्धविराम", labels=("दक्षिण एशिया",))
    assert client.get(post.get_absolute_url()).status_code == 200
    label = client.get(reverse("blog:label", kwargs={"slug": "दक्षिण-एशिया"}))
    assert label.status_code == 200 and post.headline in label.content.decode()


def test_label_and_date_archives_list_the_right_posts(client):
    in_march = seed_post(1, labels=("Syria",))
    in_april = seed_post(2, at=datetime(2016, 4, 2, 9, tzinfo=UTC), labels=("Iraq",))
    label = client.get(reverse("blog:label", kwargs={"slug": "iraq"})).content.decode()
    assert in_april.headline in label and in_march.headline not in label
    month = client.get(reverse("blog:archive_month", kwargs={"year": "2016", "month": "03"}))
    assert in_march.headline in month.content.decode()
    assert in_april.headline not in month.content.decode()
    day = client.get(
        reverse("blog:archive_day", kwargs={"year": "2016", "month": "04", "day": "02"})
    ).content.decode()
    assert in_april.headline in day and in_march.headline not in day
    year = client.get(reverse("blog:archive_year", kwargs={"year": "2016"})).content.decode()
    assert in_april.headline in year and in_march.headline in year
    assert client.get(reverse("blog:label", kwargs={"slug": "nope"})).status_code == 404
    assert client.get("/2016/02/30/").status_code == 404


@pytest.mark.parametrize(
    ("zone", "address"),
    [
        ("UTC", "/9999/"),
        ("UTC", "/9999/12/"),
        ("UTC", "/9999/12/31/"),
        ("America/New_York", "/9999/12/31/"),
        ("Asia/Tokyo", "/0001/"),
        ("Asia/Tokyo", "/0001/01/01/"),
    ],
)
def test_archives_at_the_ends_of_the_calendar_are_not_found(client, settings, zone, address):
    # Their bounds (the first instant after 9999, or year 1 seen from UTC) cannot be held in a
    # datetime; there is nothing to list there, and the reader gets the friendly 404.
    settings.TIME_ZONE = zone
    seed_post(1)
    assert client.get(address).status_code == 404
    assert client.get("/9998/12/31/").status_code == 200


def test_home_paginates_with_root_relative_links(client):
    for n in range(25):
        prose_post(n)
    first = client.get("/").content.decode()
    assert 'href="/page/2/" rel="next"' in first
    second = client.get("/page/2/").content.decode()
    assert 'href="/" rel="prev"' in second
    assert client.get("/page/9/").status_code == 404
    # Page 0 is no page (it showed the first page again, under another address).
    for address in ("/page/0/", "/label/syria/page/0/", "/2016/?page=0", "/search/?q=x&page=0"):
        assert client.get(address).status_code == 404, address
    assert client.get("/2016/?page=").status_code == 200


def test_sticky_posts_are_pinned_on_the_first_page(client):
    seed_post(1, sticky=True)
    for n in range(2, 5):
        prose_post(n)
    html = client.get("/").content.decode()
    assert html.index("Pinned") < html.index("Joint operation planned in Raqqa 1")


def test_about_sitemap_robots_and_friendly_404(client):
    post = seed_post(1)
    assert client.get(reverse("blog:about")).status_code == 200
    sitemap = client.get(reverse("blog:sitemap"))
    assert sitemap["Content-Type"].startswith("application/xml")
    assert f"http://testserver{post.get_absolute_url()}" in sitemap.content.decode()
    robots = client.get(reverse("blog:robots")).content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()


def test_past_the_protocols_limit_the_sitemap_is_an_index_of_files(client):
    # A sitemap file may list 50,000 addresses; a site with more used to send them all in one,
    # which search engines refuse, and to load every post on each render.
    labelled = seed_post(1, labels=("Syria",))
    bulk = 50_000
    Post.objects.bulk_create(
        (
            Post(
                headline=f"Post {n}",
                slug=f"bulk-{n}",
                status=PostStatus.PUBLISHED,
                published_at=labelled.published_at + timedelta(minutes=n + 1),
            )
            for n in range(bulk)
        ),
        batch_size=2000,
    )
    index = client.get(reverse("blog:sitemap")).content.decode()
    assert "<sitemapindex" in index
    files = re.findall(r"<loc>([^<]+)</loc>", index)
    assert files == ["http://testserver/sitemap-1.xml", "http://testserver/sitemap-2.xml"]
    listed = [
        re.findall(r"<url><loc>([^<]+)</loc>", client.get(f"/sitemap-{n}.xml").content.decode())
        for n in (1, 2)
    ]
    assert [len(each) for each in listed] == [50_000, 3]  # home, 50,001 posts, one label
    every = listed[0] + listed[1]
    assert len(set(every)) == len(every)
    assert every[0] == "http://testserver/"
    assert every[-2:] == [
        f"http://testserver{labelled.get_absolute_url()}",
        "http://testserver/label/syria/",
    ]
    assert client.get("/sitemap-3.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_pages_advertise_their_feeds(client):
    seed_post(1, labels=("Syria",))
    home = client.get("/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feeds/feed.json"' in home
    label = client.get("/label/syria/").content.decode()
    assert 'href="/label/syria/atom.xml"' in label


def test_right_to_left_text_gets_dir_auto(client):
    post = seed_post(1, headline="الرقة: عملية مشتركة")
    html = client.get(post_url(post)).content.decode()
    assert '<article class="post" dir="auto">' in html


def test_post_sections_from_other_apps_are_rendered_in_order(client):
    from django.utils.html import format_html

    from dateline.blog import hooks

    def first(request, post):
        return format_html("<p>first section for {}</p>", post.pk)

    def second(request, post):
        return "<b>plain strings are escaped</b>"

    hooks.register_post_section(first)
    hooks.register_post_section(second)
    try:
        post = seed_post(1)
        html = client.get(post_url(post)).content.decode()
    finally:
        hooks._post_sections.remove(first)
        hooks._post_sections.remove(second)
    assert f"<p>first section for {post.pk}</p>" in html
    assert "&lt;b&gt;plain strings are escaped&lt;/b&gt;" in html
    assert html.index("first section") < html.index("plain strings")
