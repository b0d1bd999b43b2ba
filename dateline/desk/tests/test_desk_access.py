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
