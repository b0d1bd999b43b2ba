"""Pictures uploaded through Django's storage API, with a copy sized for cards."""

from __future__ import annotations

import io
import json

import lxml.html
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from dateline.blog import services
from dateline.blog.exceptions import InvalidImage
from dateline.blog.models import Image
from dateline.blog.tests.factories import seed_post
from dateline.blog.tests.public_site import png_upload

pytestmark = pytest.mark.django_db


def test_an_upload_is_stored_with_a_card_copy_no_wider_than_cards_need():
    image = services.upload_image(png_upload(size=(3000, 1500)), alt_text="  The  river ")
    assert (image.width, image.height) == (3000, 1500)
    assert (image.card_width, image.card_height) == (services.CARD_WIDTH, 600)
    assert default_storage.exists(image.original.name)
    assert default_storage.exists(image.card.name)
    with default_storage.open(image.card.name) as stored, PillowImage.open(stored) as card:
        assert card.size == (services.CARD_WIDTH, 600)
    assert image.alt_text == "The river"
    assert image.original.url.startswith("/media/images/")


def test_a_small_picture_is_never_enlarged_and_photos_lose_their_metadata():
    out = io.BytesIO()
    exif = PillowImage.Exif()
    exif[0x0132] = "2016:03:30 10:00:00"  # DateTime
    PillowImage.new("RGB", (400, 300), (200, 10, 10)).save(out, format="JPEG", exif=exif)
    image = services.upload_image(SimpleUploadedFile("photo.jpg", out.getvalue()))
    assert (image.card_width, image.card_height) == (400, 300)
    with default_storage.open(image.card.name) as stored, PillowImage.open(stored) as card:
        assert not card.getexif()


@pytest.mark.parametrize(
    "name, data",
    [
        ("notes.png", b"this is not a picture"),
        ("truncated.png", png_upload().read()[:200]),
        ("icon.bmp", b"BM" + b"\0" * 60),
    ],
)
def test_what_is_not_a_web_picture_is_refused_and_nothing_is_stored(name, data):
    with pytest.raises(InvalidImage):
        services.upload_image(SimpleUploadedFile(name, data))
    assert Image.objects.count() == 0


def test_the_featured_image_shows_on_cards_post_page_and_link_previews(client):
    post = seed_post(1)
    services.set_featured_image(post, services.upload_image(png_upload(), alt_text="Raqqa"))
    home = lxml.html.fromstring(client.get("/").content)
    card_image = home.cssselect("article.post-card img.card-image")[0]
    assert card_image.get("src") == post.featured_image.card.url
    assert (card_image.get("width"), card_image.get("height")) == ("1200", "675")
    assert card_image.get("alt") == "Raqqa"
    page = lxml.html.fromstring(client.get(post.get_absolute_url()).content)
    assert page.cssselect("img.featured")[0].get("alt") == "Raqqa"
    og_image = page.cssselect('meta[property="og:image"]')[0].get("content")
    assert og_image == "http://testserver" + post.featured_image.card.url
    assert page.cssselect('meta[name="twitter:card"]')[0].get("content") == ("summary_large_image")
    ld = json.loads(page.cssselect('script[type="application/ld+json"]')[0].text)
    assert ld["image"] == [og_image]
