"""The wire's clip service over a real loopback server: one article per canonical URL, however
the page is reached, and no page may claim another site's article."""

from __future__ import annotations

import pytest

from dateline.wire import services
from dateline.wire.models import Article, FullTextStatus, Outlet
from tests.support.loopback import LoopbackServer, Reply

pytestmark = pytest.mark.django_db

TEXT = "".join(
    f"<p>Paragraph {n}: the council voted to close the old bridge to lorries after engineers "
    "found the steel beams corroded beyond what a repair could fix this year.</p>"
    for n in range(4)
)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(canonical: str = "") -> bytes:
    link = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    return (
        f"<html><head><title>Bridge closed</title>{link}"
        "<meta property='og:site_name' content='Valley News'></head>"
        f"<body><article><h1>Bridge closed</h1>{TEXT}</article></body></html>"
    ).encode()


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


def test_a_redirect_to_a_known_article_finds_it(server):
    known_url = server.url("/news/bridge")
    server.route("/news/bridge", Reply(body=page(), headers=HTML))
    first = services.clip(known_url)
    server.route("/short/b", Reply(status=301, headers={"Location": known_url}))
    again = services.clip(server.url("/short/b"))
    assert again.article.pk == first.article.pk and not again.created
    assert Article.objects.count() == 1


def test_a_canonical_link_to_another_host_claims_nothing(server):
    # An article the wire has from a real outlet...
    outlet = Outlet.objects.create(name="Real Outlet")
    theirs = Article.objects.create(
        outlet=outlet, guid="x", url="https://real.example/story", title="Real",
        canonical_url="https://real.example/story", full_text="<p>Theirs.</p>",
        full_text_status=FullTextStatus.FETCHED,
    )  # fmt: skip
    # ...and a page elsewhere that says it is that article.
    url = server.route("/copy", Reply(body=page("https://real.example/story"), headers=HTML))
    clipped = services.clip(url)
    assert clipped.created and clipped.article.pk != theirs.pk
    theirs.refresh_from_db()
    assert theirs.full_text == "<p>Theirs.</p>"


def test_a_canonical_link_on_the_same_host_is_one_article(server):
    canonical = server.url("/news/bridge")
    server.route("/news/bridge", Reply(body=page(canonical), headers=HTML))
    server.route("/amp/bridge", Reply(body=page(canonical), headers=HTML))
    first = services.clip(server.url("/amp/bridge"))
    second = services.clip(canonical)
    assert first.article.pk == second.article.pk
    assert len(server.hits("/news/bridge")) == 0  # known by its canonical link: not fetched


def test_a_summary_only_article_gets_its_text_once(server):
    url = server.route("/news/bridge", Reply(body=page(), headers=HTML))
    outlet = Outlet.objects.create(name="Valley News")
    article = Article.objects.create(outlet=outlet, guid=url, url=url, summary="<p>Closed.</p>")
    assert services.needs_text(article)
    fetched = services.fetch_text_now(article)
    assert fetched.full_text_status == FullTextStatus.FETCHED and "Paragraph 2" in fetched.full_text
    assert not services.needs_text(fetched)
    services.fetch_text_now(fetched)
    assert len(server.hits("/news/bridge")) == 1
