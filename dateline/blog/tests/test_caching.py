"""Full-page caching: served from cache until something public changes, then never stale."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from dateline.blog import services
from dateline.blog.tests.factories import seed_post

pytestmark = pytest.mark.django_db


def test_a_cached_page_costs_no_query_and_carries_validators(client, django_assert_num_queries):
    seed_post(1)
    first = client.get("/")
    with django_assert_num_queries(0):  # its generations come from the shared cache
        second = client.get("/")
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "Last-Modified" in second
    assert "public" in second["Cache-Control"]


def test_conditional_gets_answer_304(client):
    seed_post(1)
    first = client.get("/")
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get("/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda post: services.append_update(post, text="Fresh update."), id="update"),
        pytest.param(lambda post: services.set_labels(post, ["Fresh label"]), id="labels"),
        pytest.param(lambda post: services.edit_post(post, headline="Fresh headline"), id="edit"),
        pytest.param(
            lambda post: services.publish(seed_post(9, headline="Fresh post")), id="publish"
        ),
    ],
)
def test_a_public_change_invalidates_cached_pages(client, change):
    post = seed_post(1)
    url = post.get_absolute_url()
    before_home, before_post = client.get("/"), client.get(url)
    change(post)
    after_home, after_post = client.get("/"), client.get(post.get_absolute_url())
    assert "Fresh" in after_home.content.decode()
    assert after_home["ETag"] != before_home["ETag"]
    assert client.get("/", HTTP_IF_NONE_MATCH=before_home["ETag"]).status_code == 200
    if after_post.status_code == 200:
        assert after_post["ETag"] != before_post["ETag"]


def test_post_changed_from_another_app_invalidates(client):
    # What the comments app calls when it approves a comment.
    post = seed_post(1)
    before = client.get(post.get_absolute_url())
    from dateline.blog import hooks

    def section(request, post):
        from django.utils.safestring import mark_safe

        return mark_safe("<p>a newly approved comment</p>")

    hooks.register_post_section(section)
    try:
        assert client.get(post.get_absolute_url()).content == before.content  # still cached
        services.post_changed(post)
        assert "a newly approved comment" in client.get(post.get_absolute_url()).content.decode()
    finally:
        hooks._post_sections.remove(section)


def test_the_generation_lives_in_the_database_so_every_process_sees_a_change(client):
    # Another worker process or machine changes the site: it only writes the database.
    from dateline.blog.models import PageGeneration

    post = seed_post(1)
    client.get("/")
    PageGeneration.objects.filter(name="listings").update(value=999)
    services.edit_post(post, headline="Changed elsewhere")
    assert "Changed elsewhere" in client.get("/").content.decode()


def test_signed_in_readers_get_uncached_private_answers(client, django_user_model):
    seed_post(1)
    client.get("/")  # cached for anonymous readers
    user = django_user_model.objects.create_user("ed", password="x" * 20, is_staff=True)
    client.force_login(user)
    response = client.get("/")
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_errors_and_redirects_are_not_cached(client):
    post = seed_post(1)
    assert client.get("/2016/03/nothing-here/").status_code == 404
    created = seed_post(2, slug="nothing-here")
    assert client.get(created.get_absolute_url()).status_code == 200
    assert client.get(f"/2016/03/{post.slug}.html").status_code == 301


def test_error_answers_tell_caches_not_to_keep_them(client):
    seed_post(1)
    # A post not yet published, an address that is no page, a bad page number: no cache (a CDN
    # in front) may keep these, or the post stays "not found" there after it is published.
    for address in ("/2016/03/nothing-here/", "/no/such/page/", "/page/0/"):
        response = client.get(address)
        assert response.status_code == 404
        assert response["Cache-Control"] == "no-store"
        assert "ETag" not in response


def test_last_modified_is_when_the_site_last_changed(client):
    seed_post(1)
    _, changed_at = services.site_generation()
    assert client.get("/")["Last-Modified"] == http_date(changed_at.timestamp())
    assert reverse("blog:home") == "/"


def test_a_post_written_as_published_for_later_appears_on_cached_pages_when_its_time_comes(
    client,
):
    # Nothing public changes when a stored time passes, so the cached home page would go on
    # without the post; written as scheduled, the worker's job publishes it and pages follow.
    soon = timezone.now() + timedelta(seconds=1)
    seed_post(1, headline="Embargoed until soon", at=soon)
    assert "Embargoed until soon" not in client.get("/").content.decode()
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.1)
    services.publish_scheduled(timezone.now())  # the worker's tick
    assert "Embargoed until soon" in client.get("/").content.decode()
