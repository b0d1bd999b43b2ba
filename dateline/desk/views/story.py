"""One story: every article from every outlet in time order, who reported first, the posts that
cover it, the stories the periodic pass merged into it (each undoable); merging another story
into it and moving an article out, each confirmed first.

The corrections are the stories app's (`stories.services.merge_stories`, `move_article_out`): the
desk adds nothing of its own, and posts follow a merge through `stories_merged`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from dateline.blog.models import Post
from dateline.core.markup_text import markup_text
from dateline.core.urls import web_link
from dateline.desk.access import editor_required
from dateline.desk.exceptions import StoryActionRefused
from dateline.stories import services as story_services
from dateline.stories.exceptions import StoriesError
from dateline.stories.models import Story, StoryCorrection
from dateline.wire.models import Article

# Other stories offered to merge into this one: the best-ranked open ones.
MERGE_CANDIDATES = 30
# The lead shown under each article: the start of its summary.
LEAD_LIMIT = 280


def _lead(summary: str) -> str:
    text = markup_text(summary).strip()
    return text if len(text) <= LEAD_LIMIT else text[:LEAD_LIMIT].rsplit(" ", 1)[0] + " …"


@editor_required
def story_page(request: HttpRequest, story_id: int) -> HttpResponse:
    story = get_object_or_404(
        Story.objects.with_articles().select_related("desk_state", "merged_into"), pk=story_id
    )
    why = story_services.why_in_story(story.pk)
    articles = [
        {
            "article": article,
            "why": why.get(article.pk),
            "link": web_link(article.url),
            "lead": _lead(article.summary),
            "language": article.language or article.outlet.language,
        }
        for article in story.articles.all()
    ]
    posts = list(Post.objects.filter(story_id=story.pk).order_by("-published_at", "-id"))
    candidates = list(
        Story.objects.open()
        .ranked()
        .exclude(pk=story.pk)
        .only("id", "headline", "article_count")[:MERGE_CANDIDATES]
    )
    return render(
        request,
        "desk/story.html",
        {
            "story": story,
            "state": getattr(story, "desk_state", None),
            "articles": articles,
            "posts": posts,
            "automatic_merges": story_services.automatic_merges(story),
            "candidates": candidates,
            "here": request.get_full_path(),
        },
    )


def _other_story(request: HttpRequest, story: Story) -> Story:
    raw = request.POST.get("other") or request.GET.get("other") or ""
    other = Story.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if other is None:
        raise StoryActionRefused("Choose an existing story to merge into this one.")
    if other.pk == story.pk:
        raise StoryActionRefused("A story cannot be merged into itself.")
    return other


@editor_required
def merge(request: HttpRequest, story_id: int) -> HttpResponse:
    """GET: asks to confirm merging the chosen story into this one; POST: merges."""
    story = get_object_or_404(Story, pk=story_id)
    other = _other_story(request, story)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            story_services.merge_stories(story, other, editor=request.user)
        except StoriesError as error:  # merged meanwhile (another tab, another editor)
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"Merged “{other.headline}” into this story: its articles and posts are here.",
            )
        return redirect("desk:story", story.pk)
    return render(request, "desk/confirm_merge.html", {"story": story, "other": other})


@editor_required
def move_out(request: HttpRequest, story_id: int, article_id: int) -> HttpResponse:
    """GET: asks to confirm moving the article into a story of its own; POST: moves it."""
    story = get_object_or_404(Story, pk=story_id)
    article = get_object_or_404(
        Article.objects.select_related("outlet"), pk=article_id, membership__story=story
    )
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            new_story = story_services.move_article_out(article, editor=request.user)
        except StoriesError as error:  # the story's only article, or moved meanwhile
            messages.error(request, str(error))
            return redirect("desk:story", story.pk)
        messages.success(request, "Moved the article out into a story of its own.")
        return redirect(reverse("desk:story", args=[new_story.pk]))
    return render(request, "desk/confirm_move_out.html", {"story": story, "article": article})


@editor_required
def undo_merge(request: HttpRequest, story_id: int, correction_id: int) -> HttpResponse:
    """POST: undoes the periodic pass's merge into this story; the story it absorbed returns."""
    story = get_object_or_404(Story, pk=story_id)
    merge = get_object_or_404(StoryCorrection, pk=correction_id, story=story, automatic=True)
    if request.method != "POST":
        return redirect("desk:story", story.pk)
    try:
        restored = story_services.undo_automatic_merge(merge, editor=request.user)
    except StoriesError as error:  # undone meanwhile, or its articles moved since
        messages.error(request, str(error))
        return redirect("desk:story", story.pk)
    messages.success(request, "Undid the automatic merge: these articles are a story again.")
    return redirect("desk:story", restored.pk)
