"""Compose a post from an article."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.domain.drafts import CitationDraft, CommentaryDraft
from dateline.blog.exceptions import BlogError
from dateline.blog.models import PostStatus
from dateline.core.markup_text import markup_text
from dateline.core.urls import web_link
from dateline.desk.access import editor_required
from dateline.desk.forms import ComposeForm
from dateline.wire.models import Article


@editor_required
def compose(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("outlet"), pk=article_id)
    if request.method == "POST":
        form = ComposeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            parts: list = [
                CitationDraft(
                    outlet_name=article.outlet.name,
                    source_headline=article.title,
                    url=article.url,
                    quoted_excerpt=data["quoted_excerpt"],
                    retrieved_at=article.fetched_at,
                    article_id=article.pk,
                )
            ]
            if data["commentary"].strip():
                parts.append(CommentaryDraft(text=data["commentary"], speaker="Editor"))
            membership = getattr(article, "membership", None)
            try:
                post = blog_services.create_post(
                    headline=data["headline"],
                    author=request.user,
                    parts=parts,
                    labels=form.label_names(),
                    dateline_place=data["dateline_place"],
                    status=PostStatus.PUBLISHED,
                    published_at=timezone.now(),
                    story=membership.story if membership else None,
                )
            except BlogError as error:
                # A rule the blog holds (a label too long, say): shown on the form, which keeps
                # what the editor wrote, rather than on an error page.
                form.add_error(None, str(error))
            else:
                return redirect(post.get_absolute_url())
    else:
        # The summary is sanitised HTML: the quote is its text, entities decoded, or the editor
        # would be offered (and publish) "AT&amp;T".
        form = ComposeForm(
            initial={"headline": article.title, "quoted_excerpt": markup_text(article.summary)}
        )
    # Only a web address is a link: an article stored before the wire refused other schemes
    # could hold a feed's "javascript:" link, which would run in the editor's browser.
    source_link = web_link(article.url)
    return render(
        request,
        "desk/compose.html",
        {"article": article, "form": form, "source_link": source_link},
    )
