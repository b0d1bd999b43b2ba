"""The write services: what the desk, comments, porting and the demo rely on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from dateline.blog import services, signals
from dateline.blog.domain.drafts import CitationDraft, CommentaryDraft, ProseDraft, RawHtmlDraft
from dateline.blog.exceptions import InvalidPart, InvalidPost, SlugTaken
from dateline.blog.models import Label, PartKind, Post, PostPart, PostStatus, SlugRedirect
from dateline.blog.tests.factories import citation, seed_post

pytestmark = pytest.mark.django_db


def test_create_post_writes_parts_in_order_with_labels():
    post = seed_post(labels=("Syria", "Russia", "syria"))
    kinds = list(post.parts.order_by("position").values_list("kind", flat=True))
    assert kinds == [PartKind.CITATION, PartKind.COMMENTARY]
    assert sorted(post.labels.values_list("name", flat=True)) == ["Russia", "Syria", "syria"]
    cited = post.parts.get(kind=PartKind.CITATION)
    assert cited.outlet_name == "The Guardian"
    assert cited.url == "https://news.example.org/world/1"


def test_published_without_time_is_published_now():
    before = timezone.now()
    post = services.create_post(headline="Now", status=PostStatus.PUBLISHED)
    assert post.published_at is not None and post.published_at >= before
    assert Post.objects.published().filter(pk=post.pk).exists()


def test_draft_is_not_public():
    post = seed_post(status=PostStatus.DRAFT, published_at=None)
    assert not Post.objects.published().filter(pk=post.pk).exists()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "not a url", "", "https://"]
)
def test_a_citation_with_a_hostile_or_empty_url_is_refused_and_nothing_is_written(url):
    with pytest.raises(InvalidPart, match="http"):
        services.create_post(headline="Bad", parts=[ProseDraft("<p>ok</p>"), citation(url=url)])
    assert Post.objects.count() == 0
    assert PostPart.objects.count() == 0


def test_html_is_sanitised_before_it_is_stored():
    post = services.create_post(
        headline="Hostile",
        parts=[
            RawHtmlDraft('<p onclick="steal()">Hi<script>alert(1)</script></p>'),
            CommentaryDraft(text='<a href="javascript:x()">x</a>', speaker="Ed"),
        ],
    )
    stored = " ".join(post.parts.values_list("body", flat=True))
    assert "script" not in stored
    assert "onclick" not in stored
    assert "javascript:" not in stored
    assert "Hi" in stored


def test_an_empty_headline_is_kept_empty_and_titled_by_date():
    post = services.create_post(
        headline="   ", status=PostStatus.PUBLISHED, published_at=datetime(2016, 3, 30, tzinfo=UTC)
    )
    post.refresh_from_db()
    assert post.headline == ""
    assert post.slug == "post"
    assert post.title == "Untitled post, 30 March 2016"


def test_naive_times_are_refused():
    with pytest.raises(InvalidPost, match="aware"):
        services.create_post(headline="x", published_at=datetime(2020, 1, 1))


def test_times_a_post_url_cannot_carry_are_refused_and_write_nothing():
    # /YYYY/MM/slug/ has a four-digit year, and pages show local times: year 999 (an import's
    # typo) made every listing raise NoReverseMatch, 9999-12-31 east of UTC an OverflowError.
    for at in (datetime(999, 5, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)):
        with pytest.raises(InvalidPost, match="years 1000 to 9999"):
            services.create_post(
                headline="Out of range", status=PostStatus.PUBLISHED, published_at=at
            )
    assert not Post.objects.exists()
    draft = services.create_post(headline="A draft")
    with pytest.raises(InvalidPost, match="years 1000 to 9999"):
        services.publish(draft, at=datetime(1, 1, 1, tzinfo=UTC))
    draft.refresh_from_db()
    assert draft.status == PostStatus.DRAFT
    with pytest.raises(InvalidPost, match="years 1000 to 9999"):
        services.append_update(draft, text="Late", at=datetime(9999, 12, 31, 23, tzinfo=UTC))
    assert not draft.parts.exists()


def test_the_earliest_and_latest_times_kept_have_addresses_in_any_zone(client, settings):
    settings.TIME_ZONE = "America/Los_Angeles"  # the earliest time is 1000-01-01 there
    earliest = seed_post(1, at=services.EARLIEST_TIME)
    assert earliest.get_absolute_url().startswith("/1000/01/")
    for path in ("/", "/feeds/atom.xml", "/sitemap.xml", earliest.get_absolute_url()):
        assert client.get(path).status_code == 200, path
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    latest = seed_post(2, at=services.LATEST_TIME)
    assert latest.get_absolute_url().startswith("/9999/12/")


@pytest.mark.parametrize(
    "url", ["https://news.example.org/a\x01b", "https://news.exa\x00mple.org/"]
)
def test_a_citation_url_with_a_control_character_is_refused(url):
    # Stored, it took the Atom and RSS feeds down (XML 1.0 cannot carry it); stripped, the
    # citation would point somewhere else.
    with pytest.raises(InvalidPart, match="http"):
        seed_post(1, parts=[citation(1, url=url)])
    assert not Post.objects.exists()


def test_scheduled_needs_a_time():
    with pytest.raises(InvalidPost, match="scheduled"):
        services.create_post(headline="x", status=PostStatus.SCHEDULED)


def test_slugs_are_unique_and_explicit_clash_is_refused():
    a = services.create_post(headline="Same headline")
    b = services.create_post(headline="Same headline")
    assert (a.slug, b.slug) == ("same-headline", "same-headline-2")
    with pytest.raises(SlugTaken):
        services.create_post(headline="Other", slug="same-headline")


def test_unicode_headline_gives_a_readable_slug():
    post = services.create_post(headline="الرقة: عملية مشتركة")
    assert post.slug == "الرقة-عملية-مشتركة"


def test_a_slug_keeps_the_vowel_signs_of_its_words():
    # Hindi, Tamil and Thai write vowels as combining marks, which Python's \w leaves out: the
    # slug spelled other words ("नमसत-दनय").
    for headline, slug in (
        ("नमस्ते दुनिया: भारत-पाकिस्तान वार्ता", "नमस्ते-दुनिया-भारत-पाकिस्तान-वार्ता"),
        ("தமிழ்நாடு தேர்தல்", "தமிழ்நாடு-தேர்தல்"),
        ("ไทย การเมือง", "ไทย-การเมือง"),
    ):
        assert services.create_post(headline=headline).slug == slug
    # A mark that completes no letter (an emoji's variation selector) is dropped with the emoji.
    assert services.create_post(headline="I ❤️ Kyiv").slug == "i-kyiv"


def test_append_update_adds_to_the_log_and_bumps_updated_time():
    post = seed_post()
    at = post.published_at + timedelta(hours=5)
    source = CitationDraft(
        outlet_name="RUDAW", source_headline="Raqqa latest", url="https://r.example/1"
    )
    services.append_update(post, text="Fighting has resumed.", citation=source, at=at)
    post.refresh_from_db()
    assert post.updated_at == at
    update = post.parts.get(kind=PartKind.UPDATE)
    assert update.at == at
    assert update.outlet_name == "RUDAW"
    assert update.position == 2


def test_every_public_change_bumps_the_site_generation():
    post = seed_post()
    seen = [services.site_generation()[0]]
    services.append_update(post, text="More.")
    seen.append(services.site_generation()[0])
    services.set_labels(post, ["Iraq"])
    seen.append(services.site_generation()[0])
    services.post_changed(post)
    seen.append(services.site_generation()[0])
    assert seen == sorted(set(seen)), seen


def test_changing_a_slug_keeps_the_old_one_as_redirect():
    post = seed_post()
    old = post.slug
    services.change_slug(post, "a new name")
    post.refresh_from_db()
    assert post.slug == "a-new-name"
    assert SlugRedirect.objects.get(old_slug=old).post == post
    other = seed_post(2)
    with pytest.raises(SlugTaken):
        services.change_slug(other, "a-new-name")


def test_publish_in_future_schedules_and_the_job_publishes_on_time(
    django_capture_on_commit_callbacks,
):
    post = seed_post(status=PostStatus.DRAFT, published_at=None)
    when = timezone.now() + timedelta(hours=1)
    services.publish(post, at=when)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert services.publish_scheduled(when - timedelta(seconds=1)) == 0
    received = []

    def on_published(sender, post, **kwargs):
        received.append(post.pk)

    signals.post_published.connect(on_published)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.publish_scheduled(when) == 1
    finally:
        signals.post_published.disconnect(on_published)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert received == [post.pk]


def test_labels_are_reused_by_exact_name_and_differing_names_get_a_suffixed_slug():
    seed_post(1, labels=("Middle East", "Media", "C++"))
    seed_post(2, labels=("Middle  East", "media", "C", "Media"))
    found = dict(Label.objects.values_list("name", "slug"))
    assert found == {
        "Middle East": "middle-east",
        "Media": "media",
        "C++": "c",
        "media": "media-2",
        "C": "c-2",
    }


def test_published_at_in_future_is_not_public_yet():
    later = datetime.now(UTC) + timedelta(days=1)
    post = seed_post(at=later)
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_quiet_writes_index_but_move_no_time_generation_or_signal(
    django_capture_on_commit_callbacks,
):
    received = []

    def heard(sender, post, **kwargs):
        received.append(post.pk)

    signals.post_published.connect(heard)
    signals.post_updated.connect(heard)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post = seed_post(quiet=True)
            generation = services.site_generation()[0]
            services.add_part(post, ProseDraft("<p>Kobani</p>"), quiet=True)
            services.append_update(post, text="More.", quiet=True)
            services.replace_parts(post, [ProseDraft("<p>Tabqa dam</p>")], quiet=True)
            services.edit_post(post, headline="Renamed", labels=["Iraq"], quiet=True)
            services.set_labels(post, ["Iran"], quiet=True)
            services.change_slug(post, "renamed", quiet=True)
            services.set_featured_image(post, None, quiet=True)
            services.set_status(post, PostStatus.PRIVATE, quiet=True)
            services.publish(post, quiet=True)
            draft = services.create_post(headline="Later", quiet=True)
            services.publish(draft, quiet=True)
    finally:
        signals.post_published.disconnect(heard)
        signals.post_updated.disconnect(heard)
    post.refresh_from_db()
    assert received == []
    assert services.site_generation()[0] == generation == 0
    assert post.updated_at is None
    assert post.status == PostStatus.PUBLISHED
    # The search index is still written.
    assert post.search_document.headline == "Renamed"
    assert "Tabqa" in post.search_document.body_text


def test_create_posts_writes_a_batch_by_create_posts_rules_in_fixed_statements(
    django_assert_max_num_queries,
):
    from dateline.blog.domain.drafts import PostDraft

    seed_post(1, headline="Taken", slug="taken")
    drafts = [
        PostDraft(
            headline=f"Batch {n}",
            slug="taken" if n < 2 else "",
            parts=(ProseDraft(f"<p>Body {n}</p>"), citation(n)),
            labels=("Media", "media") if n % 2 else ("Media",),
            status=PostStatus.PUBLISHED,
            published_at=datetime(2015, 1, 1 + n, tzinfo=UTC),
        )
        for n in range(20)
    ]
    before = services.site_generation()[0]
    # Fixed for any batch size; new labels and taken slugs add a few each.
    with django_assert_max_num_queries(30):
        posts = services.create_posts(drafts, quiet=True)
    assert [post.slug for post in posts[:3]] == ["taken-2", "taken-3", "batch-2"]
    assert services.site_generation()[0] == before
    assert PostPart.objects.filter(post__in=posts).count() == 40
    assert sorted(Label.objects.values_list("name", flat=True)) == ["Media", "Syria", "media"]
    assert posts[1].labels.count() == 2
    assert posts[5].search_document.body_text.startswith("Body 5")
    services.create_posts(drafts[:1])
    assert services.site_generation()[0] == before + 1
