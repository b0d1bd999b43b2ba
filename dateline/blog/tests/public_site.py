"""A small public site with every kind of page and every kind of part, for the checkers
(Nu Html Checker, axe-core) and the browser tests. Written through the public services."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from dateline.blog import services
from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    ProseDraft,
    RawHtmlDraft,
)
from dateline.blog.models import Post
from dateline.blog.tests.factories import BASE_TIME, citation, seed_post

YOUTUBE_EMBED = (
    '<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/abc123XYZ" '
    'title="Press conference in Geneva" frameborder="0" allowfullscreen></iframe>'
)
X_EMBED = (
    '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Talks resume tomorrow.</p>'
    '&mdash; A Reporter (@reporter) <a href="https://twitter.com/reporter/status/1">'
    "March 30, 2016</a></blockquote>"
)


def png_upload(name: str = "raqqa.png", size: tuple[int, int] = (1600, 900)) -> SimpleUploadedFile:
    out = io.BytesIO()
    PillowImage.new("RGB", size, (30, 90, 160)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@dataclass(frozen=True)
class PublicSite:
    post: Post  # the post with every kind of part
    rtl_post: Post
    pages: dict[str, str]  # a name for each public page type -> its path


def build_public_site() -> PublicSite:
    seed_post(1)
    rtl_post = seed_post(
        2,
        headline="محادثات جنيف تستأنف غداً",
        labels=("Syria",),
        parts=[
            citation(2, outlet_name="الجزيرة", source_headline="استئناف المحادثات"),
            CommentaryDraft(speaker="المحرر", text="<p>خطوة مهمة.</p>"),
        ],
    )
    post = services.create_post(
        headline="Russia and US 'planning joint operation' in Raqqa",
        byline="WNU Editor",
        dateline_place="RAQQA, Syria",
        labels=("Syria", "Middle East"),
        status="published",
        published_at=BASE_TIME + timedelta(days=1),
        parts=[
            citation(3),
            CommentaryDraft(speaker="WNU Editor", text="<p>This would be a first.</p>"),
            ProseDraft(html=f"<p>The announcement, on video:</p>{YOUTUBE_EMBED}"),
            RawHtmlDraft(html=f"<p>Imported <b>as it was</b>.</p>{X_EMBED}"),
        ],
    )
    services.append_update(
        post,
        text="<p>Kurdish forces confirmed the talks.</p>",
        citation=CitationDraft(
            outlet_name="RUDAW",
            source_headline="Kurds confirm talks",
            url="https://rudaw.example/news/1",
        ),
        at=BASE_TIME + timedelta(days=1, hours=3),
    )
    services.set_featured_image(
        post, services.upload_image(png_upload(), alt_text="The Euphrates at Raqqa")
    )
    # An imported blog's page (outside the stream) and a post imported without a title.
    page = services.create_post(
        headline="About the editor",
        kind="page",
        status="published",
        published_at=BASE_TIME,
        parts=[ProseDraft(html="<p>Written from Erbil since 2009.</p>")],
    )
    untitled = services.create_post(
        headline="",
        status="published",
        published_at=BASE_TIME + timedelta(hours=12),
        parts=[RawHtmlDraft(html="<p>A post imported without a title.</p>")],
    )
    post.refresh_from_db()
    local = post.published_at
    assert local is not None
    pages = {
        "home": "/",
        "post": post.get_absolute_url(),
        "rtl-post": rtl_post.get_absolute_url(),
        "label": "/label/syria/",
        "year": f"/{local:%Y}/",
        "month": f"/{local:%Y/%m}/",
        "day": f"/{local:%Y/%m/%d}/",
        "about": "/about/",
        "page": page.get_absolute_url(),
        "untitled-post": untitled.get_absolute_url(),
        "search-results": "/search/?q=Raqqa",
        "search-none": "/search/?q=nothing+like+this",
        "not-found": "/no/such/page/",
    }
    return PublicSite(post=post, rtl_post=rtl_post, pages=pages)
