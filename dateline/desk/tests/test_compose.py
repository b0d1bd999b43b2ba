"""Compose, draft-first: from a story or an article to a draft, a scheduled or a published post,
and the same screen for editing one; what a bad or stale form does (nothing)."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.domain.drafts import CitationDraft
from dateline.blog.models import PartKind, Post, PostStatus, Revision
from dateline.desk.models import EditorSettings
from dateline.stories.models import Story, StoryArticle
from dateline.stories.services import recompute_coverage
from dateline.wire.models import Article, Feed, FullTextStatus, Outlet

pytestmark = pytest.mark.django_db

BODY = (
    "<p>KYIV, Ukraine (AP) — Russian drones struck the power grid overnight, officials said.</p>"
    "<p>Three districts lost electricity for several hours before crews restored it.</p>"
    "<p>Photo: AP</p>"
    "<p>The attack was the largest on the capital's grid since the winter began.</p>"
)


def make_story(articles: int = 2, *, labels: list[str] | None = None) -> Story:
    outlet, _ = Outlet.objects.get_or_create(name="Associated Press")
    feed, _ = Feed.objects.get_or_create(
        url="https://ap.example/feed", defaults={"outlet": outlet, "labels": labels or ["Ukraine"]}
    )
    story = Story.objects.create(
        headline="Drones strike Kyiv grid",
        first_seen_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    for n in range(articles):
        article = Article.objects.create(
            outlet=outlet,
            feed=feed,
            guid=f"ap-{story.pk}-{n}",
            url=f"https://ap.example/kyiv/{story.pk}/{n}",
            title=f"Drones strike Kyiv power grid {n}",
            summary="<p>Russian drones struck.</p>",
            # The wire already has the text: no page is fetched here.
            content=BODY if n == 0 else "",
            full_text_status=FullTextStatus.FAILED if n else FullTextStatus.NOT_WANTED,
            published_at=timezone.now() - timedelta(hours=5 - n),
        )
        StoryArticle.objects.create(story=story, article=article)
    recompute_coverage([story.pk])
    return Story.objects.get(pk=story.pk)


def page_form(html: str) -> dict[str, list[str]]:
    """The compose form's fields as a browser would send them before anything is ticked."""
    form = lxml.html.fromstring(html).get_element_by_id("compose")
    fields: dict[str, list[str]] = {}
    for field in form.inputs:
        if not field.name or getattr(field, "type", "") in ("submit",):
            continue
        if getattr(field, "type", "") in ("checkbox", "radio"):
            if field.checked:
                fields.setdefault(field.name, []).append(field.get("value"))
            continue
        if field.tag == "button":
            continue
        fields.setdefault(field.name, []).append(field.value or "")
    return fields


def compose_page(client, story: Story):
    answer = client.get(reverse("desk:compose_story", args=[story.pk]), follow=True)
    assert answer.status_code == 200
    return answer


def test_from_a_story_the_screen_opens_prefilled_from_its_best_article(client, editor):
    story = make_story()
    earlier = blog_services.create_post(
        headline="Earlier", story=story, labels=["Energy"], status=PostStatus.PUBLISHED
    )
    answer = compose_page(client, story)
    best = story.articles.get(content=BODY)
    assert answer.redirect_chain[-1][0] == reverse("desk:compose", args=[best.pk])
    html = answer.content.decode()
    fields = page_form(html)
    assert fields["headline"] == [best.title]
    assert fields["citations-0-outlet_name"] == ["Associated Press"]
    assert fields["citations-0-url"] == [best.url]
    assert fields["dateline_place"] == ["KYIV, Ukraine"]
    assert sorted(fields["suggested"]) == ["Energy", "Ukraine"]  # feed folder, earlier post
    assert fields["signature"] == ["Editor"]
    # Its paragraphs to tick, a caption left out; the story's other article to add.
    tree = lxml.html.fromstring(html)
    offered = [p.text_content().strip() for p in tree.cssselect(".paragraph span")]
    assert len(offered) == 3 and offered[1].startswith("Three districts")
    assert tree.cssselect('button[name="add_article"]')
    assert earlier.headline in html
    assert not Post.objects.exclude(pk=earlier.pk).exists()  # opening writes nothing


def test_ticking_two_paragraphs_and_publishing_gives_the_post_in_one_step(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    fields["citations-0-paragraphs"] = ["0", "2"]
    fields["commentary"] = ["The grid will not last the winter."]
    answer = client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "action": "publish"},
    )
    post = Post.objects.get()
    assert answer.status_code == 302 and answer["Location"] == post.get_absolute_url()
    assert post.status == PostStatus.PUBLISHED and post.story == story
    citation, commentary = post.parts.order_by("position")
    assert citation.quoted_excerpt.count("<p>") == 2
    assert "struck the power grid" in citation.quoted_excerpt
    assert "largest on the capital" in citation.quoted_excerpt
    assert "Three districts" not in citation.quoted_excerpt
    assert (commentary.kind, commentary.speaker) == (PartKind.COMMENTARY, "Editor")
    assert sorted(post.labels.values_list("name", flat=True)) == ["Ukraine"]
    assert post.revisions.get().author == editor
    public = client.get(post.get_absolute_url()).content.decode()
    assert "Read more" in public and "The grid will not last the winter." in public


def test_a_draft_is_saved_not_published_and_previewed_at_its_own_address(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    fields["citations-0-paragraphs"] = ["1"]
    target = reverse("desk:compose", args=[story.articles.get(content=BODY).pk])
    answer = client.post(target, {**fields, "action": "preview"})
    post = Post.objects.get()
    assert post.status == PostStatus.DRAFT
    assert answer["Location"] == post.get_absolute_url()
    assert "Three districts" in client.get(post.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 404


def test_an_empty_headline_asks_for_one_and_writes_nothing(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    fields["headline"] = ["   "]
    fields["commentary"] = ["Keep this text."]
    answer = client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "action": "publish"},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Type a headline: a post needs one." in html
    assert "Keep this text." in html
    assert not Post.objects.exists() and not Revision.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        {"citations-0-paragraphs": ["7"]},  # a paragraph the article does not have
        {"citations-0-article": ["999999"], "citations-0-paragraphs": ["0"]},
        {"citations-0-article": ["9" * 40]},  # past any database key
        {"base_revision": ["9" * 40]},
        {"citations-TOTAL_FORMS": [""]},  # the management form tampered with
        {"citations-0-url": ["javascript:alert(1)"]},
        {"publish_at": ["not a time"]},
    ],
    ids=["paragraph", "article", "huge-article", "huge-revision", "management", "url", "time"],
)
def test_a_forged_form_gets_a_message_and_writes_nothing(client, editor, forge):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    fields.update(forge)
    answer = client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "action": "publish"},
    )
    assert answer.status_code == 400
    assert "Nothing was saved" in answer.content.decode()
    assert not Post.objects.exists()


def test_a_form_loaded_before_another_save_is_refused_with_the_text_kept(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "action": "draft"},
    )
    post = Post.objects.get()
    edit = reverse("desk:edit_post", args=[post.pk])
    first = page_form(client.get(edit).content.decode())
    second = dict(first)
    client.post(edit, {**first, "headline": "Saved first", "action": "draft"})
    answer = client.post(edit, {**second, "headline": "Saved second", "action": "draft"})
    assert answer.status_code == 409
    assert "Saved second" in answer.content.decode()
    post.refresh_from_db()
    assert post.headline == "Saved first" and post.revisions.count() == 2


def test_scheduling_takes_a_time_in_the_sites_zone(client, editor, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    target = reverse("desk:compose", args=[story.articles.get(content=BODY).pk])
    missing = client.post(target, {**fields, "action": "schedule"})
    assert missing.status_code == 400 and not Post.objects.exists()
    later = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    answer = client.post(
        target, {**fields, "action": "schedule", "publish_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    post = Post.objects.get()
    assert answer.status_code == 302
    assert post.status == PostStatus.SCHEDULED and post.published_at == later


def test_editing_a_published_post_keeps_its_update_log(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "citations-0-paragraphs": ["0"], "action": "publish"},
    )
    post = Post.objects.get()
    blog_services.append_update(post, text="<p>Power is back in two districts.</p>")
    edit = reverse("desk:edit_post", args=[post.pk])
    page = client.get(edit).content.decode()
    assert "Power is back in two districts." in page  # the update log, shown, kept
    fields = page_form(page)
    assert fields["citations-0-paragraphs"] == ["0"]  # the quote read back as ticks
    fields["commentary"] = ["Later thoughts."]
    answer = client.post(edit, {**fields, "action": "save"})
    assert answer.status_code == 302
    post.refresh_from_db()
    kinds = list(post.parts.order_by("position").values_list("kind", flat=True))
    assert kinds == [PartKind.CITATION, PartKind.COMMENTARY, PartKind.UPDATE]
    assert post.status == PostStatus.PUBLISHED and post.updated_at is not None
    assert post.revisions.count() == 2


def test_a_changed_signature_is_remembered_for_the_next_post(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "commentary": ["Mine."], "signature": ["WNU Editor"], "action": "draft"},
    )
    assert Post.objects.get().parts.get(kind=PartKind.COMMENTARY).speaker == "WNU Editor"
    assert EditorSettings.objects.get(user=editor).signature == "WNU Editor"
    again = page_form(compose_page(client, make_story()).content.decode())
    assert again["signature"] == ["WNU Editor"]


def test_a_citation_from_the_story_is_added_without_saving(client, editor):
    story = make_story(3)
    best = story.articles.get(content=BODY)
    other = story.articles.exclude(pk=best.pk).first()
    fields = page_form(compose_page(client, story).content.decode())
    answer = client.post(
        reverse("desk:compose", args=[best.pk]), {**fields, "add_article": other.pk}
    )
    assert answer.status_code == 200 and not Post.objects.exists()
    grown = page_form(answer.content.decode())
    assert grown["citations-TOTAL_FORMS"] == ["2"]
    assert grown["citations-1-url"] == [other.url]
    grown["citations-0-paragraphs"] = ["0"]
    grown["citations-1-quote"] = ["Typed from the second outlet."]
    client.post(reverse("desk:compose", args=[best.pk]), {**grown, "action": "draft"})
    urls = list(Post.objects.get().parts.filter(kind="citation").values_list("url", flat=True))
    assert urls == [best.url, other.url]


@pytest.mark.parametrize("value", ["9" * 40, "-3", "x"])
def test_adding_a_forged_article_says_so_and_writes_nothing(client, editor, value):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    answer = client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "add_article": value},
    )
    assert answer.status_code == 400 and "gone from the wire" in answer.content.decode()
    assert not Post.objects.exists()


def test_a_link_holding_a_control_character_is_refused_before_any_query(client, editor):
    story = make_story()
    fields = page_form(compose_page(client, story).content.decode())
    answer = client.post(
        reverse("desk:compose", args=[story.articles.get(content=BODY).pk]),
        {**fields, "action": "add_link", "link": "https://a.example/\x00x"},
    )
    assert answer.status_code == 400 and "control characters" in answer.content.decode()
    assert Article.objects.count() == 2


def test_the_compose_page_costs_the_same_queries_for_a_story_of_any_size(client, editor):
    small = make_story(2)
    big = make_story(120)
    for story in (small, big):
        blog_services.create_post(headline="Earlier", story=story, labels=["A", "B", "C"])
    counts = []
    for story in (small, big):
        url = reverse("desk:compose", args=[story.articles.get(content=BODY).pk])
        client.get(url)  # the session and caches warm
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_edit_page_costs_the_same_queries_for_a_post_of_any_size(client, editor):
    counts = []
    for citations in (1, 12):
        story = make_story(2)
        post = blog_services.save_post(
            None,
            editor=editor,
            headline=f"{citations} citations",
            story=story,
            parts=[
                CitationDraft(
                    outlet_name="AP", source_headline="x", url=f"https://ap.example/{n}",
                    article_id=story.articles.first().pk,
                )
                for n in range(citations)
            ],
            labels=[f"L{n}" for n in range(citations)],
        )  # fmt: skip
        url = reverse("desk:edit_post", args=[post.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_story_merged_since_the_list_was_drawn_opens_the_story_it_went_into(client, editor):
    kept = make_story()
    absorbed = Story.objects.create(
        headline="Same event", first_seen_at=timezone.now(), last_seen_at=timezone.now(),
        closed=True, merged_into=kept,
    )  # fmt: skip
    answer = client.get(reverse("desk:compose_story", args=[absorbed.pk]))
    assert answer["Location"] == reverse("desk:compose", args=[kept.articles.get(content=BODY).pk])
    assert client.get(reverse("desk:compose_story", args=[999999])).status_code == 404
