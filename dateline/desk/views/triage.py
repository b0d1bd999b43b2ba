"""Triage: the open stories, in rank order, for the editor to pick from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dateline.comments.models import Comment
from dateline.desk.access import editor_required
from dateline.stories.models import Story

STORIES_ON_DESK = 30
# Articles listed under each story; a story covered by hundreds says how many more it has.
ARTICLES_PER_STORY = 10


@editor_required
def triage(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.for_desk(articles_each=ARTICLES_PER_STORY)[:STORIES_ON_DESK]
    rows = [
        (story, [m.article for m in story.shown_memberships], story.article_count)
        for story in stories
    ]
    return render(
        request,
        "desk/triage.html",
        {"stories": rows, "pending_comments": Comment.objects.pending().count()},
    )
