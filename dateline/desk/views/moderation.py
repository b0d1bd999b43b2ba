"""Comment moderation: the queue of comments held for a moderator."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from dateline.comments import services as comment_services
from dateline.comments.models import Comment
from dateline.desk.access import moderator_required
from dateline.desk.exceptions import UnknownDecision


@moderator_required
def moderation(request: HttpRequest) -> HttpResponse:
    pending = Comment.objects.pending().select_related("post").order_by("created_at")
    return render(request, "desk/moderation.html", {"comments": pending})


@moderator_required
@require_POST
def moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    decision = request.POST.get("decision")
    if decision == "approve":
        comment_services.approve(comment)
    elif decision == "reject":
        comment_services.reject(comment)
    else:
        # A form sent without its button (a script, a browser extension, a stale page) must not
        # take a comment down: only an explicit "reject" rejects.
        raise UnknownDecision('Choose "approve" or "reject" for the comment.')
    return redirect("desk:moderation")
