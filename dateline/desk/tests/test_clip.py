"""Clip any URL, and the text of a summary-only article fetched while the editor waits: through
the safe fetcher against a real HTTP server on loopback. A page that cannot be had gives a
message and a form to type the citation by hand, and writes nothing."""

from __future__ import annotations

import socket

import lxml.html
import pytest
from django.urls import reverse

from dateline.wire.models import Article, FullTextStatus, Outlet
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db

PARAGRAPHS = [
    "The harbour authority closed the northern quay on Tuesday after inspectors found cracks "
    "in the concrete supports that hold up the old grain terminal and its cranes.",
    "Ferries were moved to the southern berths, and the authority said crossings would run "
    "to the usual timetable for the rest of the week while engineers assess the damage.",
    "Dock workers said they had warned about the supports for years, pointing to photographs "
    "of rust stains and fallen fragments that they had sent to the port's managers.",
    "The regional government promised an independent review and money for repairs, but "
    "gave no date for when the quay might reopen to the container ships that use it.",
]


def article_page(title: str = "Northern quay closed after cracks found") -> bytes:
    body = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} | Harbour Gazette</title>"
        "<meta property='og:site_name' content='Harbour Gazette'>"
        f"<meta property='og:title' content='{title}'>"
        "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        "<footer>© Harbour Gazette</footer></body></html>"
    ).encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def test_a_clipped_page_becomes_one_article_and_opens_the_compose_screen(client, editor, server):
    url = server.route("/news/quay", Reply(body=article_page(), headers=HTML))
    answer = client.post(reverse("desk:clip"), {"url": url})
    article = Article.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("desk:compose", args=[article.pk])
    assert article.outlet.name == "Harbour Gazette"
    assert article.title == "Northern quay closed after cracks found"
    assert article.full_text_status == FullTextStatus.FETCHED
    compose = client.get(answer["Location"]).content.decode()
    offered = [
        p.text_content().strip() for p in lxml.html.fromstring(compose).cssselect(".paragraph span")
    ]
    assert offered == PARAGRAPHS
    # The same page again, with a tracking parameter: the same article, fetched no more.
    again = client.post(reverse("desk:clip"), {"url": f"{url}?utm_source=mail"})
    assert again["Location"] == answer["Location"]
    assert Article.objects.count() == 1 and len(server.hits("/news/quay")) == 1


def test_a_page_without_a_site_name_is_filed_under_its_host(client, editor, server):
    page = article_page().replace(b"<meta property='og:site_name' content='Harbour Gazette'>", b"")
    page = page.replace(b" | Harbour Gazette", b"")
    url = server.route("/plain", Reply(body=page, headers=HTML))
    client.post(reverse("desk:clip"), {"url": url})
    assert Article.objects.get().outlet.name == "127.0.0.1"


def test_the_bookmarklet_opens_the_clip_screen_with_the_address_ready(client, editor):
    page = client.get(reverse("desk:clip"), {"url": "https://gazette.example/story"})
    tree = lxml.html.fromstring(page.content)
    assert tree.get_element_by_id("id_url").get("value") == "https://gazette.example/story"
    bookmarklet = tree.cssselect("a.bookmarklet")[0].get("href")
    assert bookmarklet.startswith("javascript:") and "/desk/clip/?url=" in bookmarklet
    assert not Article.objects.exists()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("route", "says"),
    [
        ("http://10.20.30.40/news", "private or local network"),
        ("http://169.254.169.254/latest/meta-data/", "private or local network"),
        ("unreachable", "could not be reached"),
        ("/huge", "larger than the 5 MB"),
        ("/huge-unsized", "larger than the 5 MB"),
        ("/report.pdf", "not a web page but application/pdf"),
        ("/missing", "answered HTTP 404"),
        ("/empty", "No article text could be found"),
        ("javascript:alert(1)", "not a web address"),
        ("ftp://files.example/x", "not a web address"),
    ],
)
def test_a_page_that_cannot_be_clipped_says_why_offers_a_form_and_writes_nothing(
    client, editor, server, route, says
):
    huge = b"<html><body>" + b"<p>word word word word.</p>" * (20 * 1024 * 1024 // 26) + b"</body>"
    server.route("/huge", Reply(body=huge, headers=HTML))
    server.route("/huge-unsized", Reply(body=huge, headers=HTML, unsized=True))
    server.route(
        "/report.pdf", Reply(body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    )
    server.route("/empty", Reply(body=b"<html><body><nav>Home</nav></body></html>", headers=HTML))
    if route == "unreachable":
        url = f"http://127.0.0.1:{_closed_port()}/news"
    elif route.startswith("/"):
        url = server.url(route)
    else:
        url = route
    answer = client.post(reverse("desk:clip"), {"url": url})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert says in html
    assert "Type the citation by hand" in html
    assert not Article.objects.exists() and not Outlet.objects.exists()


def test_a_citation_typed_by_hand_becomes_the_article_to_compose_from(client, editor):
    answer = client.post(
        reverse("desk:clip"),
        {
            "by_hand": "1",
            "hand-url": "https://paywalled.example/story",
            "hand-outlet_name": "The Paywalled Times",
            "hand-title": "Quay closed",
            "hand-text": "First paragraph typed by hand.\n\nSecond paragraph typed by hand too.",
        },
    )
    article = Article.objects.get()
    assert answer["Location"] == reverse("desk:compose", args=[article.pk])
    assert article.outlet.name == "The Paywalled Times"
    compose = client.get(answer["Location"]).content.decode()
    assert "Second paragraph typed by hand too." in compose
    bad = client.post(
        reverse("desk:clip"),
        {"by_hand": "1", "hand-url": "javascript:alert(1)", "hand-outlet_name": "X"},
    )
    assert bad.status_code == 400 and Article.objects.count() == 1


def test_a_summary_only_article_has_its_page_fetched_while_the_editor_is_told(
    client, editor, server
):
    url = server.route("/news/quay", Reply(body=article_page(), headers=HTML))
    outlet = Outlet.objects.create(name="Harbour Gazette")
    article = Article.objects.create(
        outlet=outlet, guid=url, url=url, title="Quay closed", summary="<p>The quay closed.</p>"
    )
    compose = reverse("desk:compose", args=[article.pk])
    waiting = client.get(compose)
    assert "Fetching the article" in waiting.content.decode()
    refresh = lxml.html.fromstring(waiting.content).cssselect('meta[http-equiv="refresh"]')[0]
    assert refresh.get("content").endswith(f"url={compose}?text=now")
    assert not server.hits("/news/quay")  # the waiting page is shown first
    page = client.get(f"{compose}?text=now").content.decode()
    assert PARAGRAPHS[1] in page
    article.refresh_from_db()
    assert article.full_text_status == FullTextStatus.FETCHED
    # Once tried, the screen opens at once.
    assert "Fetching the article" not in client.get(compose).content.decode()
    assert len(server.hits("/news/quay")) == 1


def test_a_page_that_fails_to_fetch_leaves_the_summary_to_quote(client, editor, server):
    url = server.url("/gone")
    outlet = Outlet.objects.create(name="Harbour Gazette")
    article = Article.objects.create(
        outlet=outlet, guid=url, url=url, title="Quay closed",
        summary="<p>The harbour authority closed the northern quay on Tuesday.</p>",
    )  # fmt: skip
    page = client.get(reverse("desk:compose", args=[article.pk]), {"text": "now"})
    assert page.status_code == 200
    assert "The harbour authority closed the northern quay on Tuesday." in page.content.decode()
    article.refresh_from_db()
    assert (article.full_text_status, article.full_text_note) == (
        FullTextStatus.FAILED,
        "The site answered HTTP 404, not the page.",
    )
