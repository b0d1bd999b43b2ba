import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["desk:triage", "desk:moderation"])
def test_the_desk_is_for_staff_only(client, name):
    anonymous = client.get(reverse(name))
    assert anonymous.status_code == 302 and reverse("desk:login") in anonymous["Location"]
    get_user_model().objects.create_user("reader", password="a reader password")
    client.login(username="reader", password="a reader password")
    assert client.get(reverse(name)).status_code == 302


def test_staff_see_the_triage_page(client):
    get_user_model().objects.create_user("ed", password="a desk password", is_staff=True)
    client.login(username="ed", password="a desk password")
    page = client.get(reverse("desk:triage"))
    assert page.status_code == 200
    assert "No stories yet" in page.content.decode()


def test_composing_from_a_missing_article_is_a_404(client):
    get_user_model().objects.create_user("ed", password="a desk password", is_staff=True)
    client.login(username="ed", password="a desk password")
    assert client.get(reverse("desk:compose", args=[999999])).status_code == 404


def test_a_post_the_blog_refuses_is_shown_on_the_form_with_what_the_editor_wrote(client):
    from dateline.blog.models import Post
    from dateline.blog.services import MAX_LABEL
    from dateline.wire.models import Article, Outlet

    get_user_model().objects.create_user("ed", password="a desk password", is_staff=True)
    client.login(username="ed", password="a desk password")
    outlet = Outlet.objects.create(name="Harbour Gazette")
    article = Article.objects.create(
        outlet=outlet, guid="ferry", url="https://gazette.example/ferry", title="Ferry late"
    )
    page = client.post(
        reverse("desk:compose", args=[article.pk]),
        {
            "headline": "The ferry, again",
            "quoted_excerpt": "The morning ferry left two hours late.",
            "commentary": "Third time this month.",
            "labels": "Harbour, " + "x" * (MAX_LABEL + 1),
        },
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert f"is longer than {MAX_LABEL} characters" in body
    assert "Third time this month." in body  # nothing the editor typed is lost
    assert not Post.objects.exists()
