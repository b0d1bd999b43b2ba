"""What a post tells machines: canonical URL, OpenGraph and Twitter tags, JSON-LD NewsArticle."""

from __future__ import annotations

import json
from datetime import timedelta

import lxml.html
import pytest

from dateline.blog import services
from dateline.blog.domain.drafts import CitationDraft
from dateline.blog.tests.factories import BASE_TIME, seed_post

pytestmark = pytest.mark.django_db


def meta(page, selector: str) -> str:
    return page.cssselect(selector)[0].get("content")


def test_a_post_carries_canonical_opengraph_twitter_and_a_news_article_citing_its_sources(client):
    post = seed_post(1, labels=("Syria", "Diplomacy"))
    services.append_update(
        post,
        text="Talks confirmed.",
        citation=CitationDraft("RUDAW", "Kurds confirm talks", "https://rudaw.example/1"),
        at=BASE_TIME + timedelta(hours=5),
    )
    page = lxml.html.fromstring(client.get(post.get_absolute_url()).content)
    url = "http://testserver" + post.get_absolute_url()
    assert page.cssselect('link[rel="canonical"]')[0].get("href") == url
    assert meta(page, 'meta[property="og:type"]') == "article"
    assert meta(page, 'meta[property="og:url"]') == url
    assert meta(page, 'meta[property="og:title"]') == post.headline
    assert meta(page, 'meta[property="og:description"]').startswith("Officials said talks")
    assert meta(page, 'meta[name="twitter:card"]') == "summary"
    assert meta(page, 'meta[property="article:modified_time"]') == "2016-03-30T19:05:00+00:00"

    ld = json.loads(page.cssselect('script[type="application/ld+json"]')[0].text)
    assert ld["@type"] == "NewsArticle" and ld["@context"] == "https://schema.org"
    assert ld["headline"] == post.headline and ld["url"] == url
    assert ld["datePublished"] == "2016-03-30T15:05:00+00:00"
    assert ld["dateModified"] == "2016-03-30T19:05:00+00:00"
    assert ld["author"] == {"@type": "Person", "name": "WNU Editor"}
    assert sorted(ld["keywords"]) == ["Diplomacy", "Syria"]
    # Every quoted source, the update's included, is cited and named as a basis.
    assert ld["isBasedOn"] == ["https://news.example.org/world/1", "https://rudaw.example/1"]
    assert [c["publisher"]["name"] for c in ld["citation"]] == ["The Guardian", "RUDAW"]
    assert ld["citation"][0]["name"] == "Russia and US 'planning joint operation' number 1"
