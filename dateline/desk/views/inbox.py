"""The inbox: update suggestions waiting for the editor, each accepted (its text perhaps edited
first) or dismissed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dateline.core.urls import web_link
from dateline.desk import suggestions
from dateline.desk.access import editor_required
from dateline.desk.exceptions import DeskError
from dateline.desk.models import UpdateSuggestion

# Suggestions listed at once, newest first; accepting or dismissing brings the next ones up.
INBOX_PAGE = 50


@editor_required
def inbox(request: HttpRequest) -> HttpResponse:
    waiting = list(UpdateSuggestion.objects.for_inbox()[:INBOX_PAGE])
    items = [
        {
            "suggestion": suggestion,
            "link": web_link(suggestion.article.url),
            "quote": suggestions.proposed_quote(suggestion.article),
        }
        for suggestion in waiting
    ]
    return render(request, "desk/inbox.html", {"items": items})


@editor_required
@require_POST
def decide(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            post = suggestions.accept(
                suggestion_id,
                text=request.POST.get("text", ""),
                quote=request.POST.get("quote", ""),
                editor=request.user,
            )
            messages.success(request, f"Update added to “{post.headline}”.")
        elif decision == "dismiss":
            suggestions.dismiss(suggestion_id, editor=request.user)
            messages.success(request, "Suggestion dismissed.")
        else:
            messages.error(request, "Choose accept or dismiss for the suggestion.")
    except DeskError as error:
        # A post deleted meanwhile, a suggestion decided in another tab, a text the blog
        # refuses: said on the inbox, nothing written.
        messages.error(request, str(error))
    return redirect("desk:inbox")
