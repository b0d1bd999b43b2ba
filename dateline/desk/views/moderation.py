"""Comment moderation: queues (pending, spam, reported, all), bulk decisions, bans, post modes."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dateline.blog.models import Post
from dateline.comments import moderation as comment_moderation
from dateline.comments import services as comment_services
from dateline.comments.exceptions import CommentError
from dateline.comments.models import Comment, CommentingMode, RuleAction, RuleTarget
from dateline.desk.access import moderator_required
from dateline.desk.exceptions import DeskError, UnknownDecision

PER_PAGE = 25
# What each single-comment button sends; "reject" is the older word for delete.
DECISIONS = {
    "approve": "approve",
    "spam": "spam",
    "not_spam": "not_spam",
    "delete": "delete",
    "reject": "delete",
}


@moderator_required
def moderation(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("queue", "pending")
    if name not in comment_moderation.QUEUES:
        name = "pending"
    page = Paginator(comment_moderation.queue(name), PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for comment in page.object_list:
        by_status, others = comment_moderation.history(comment)
        rows.append(
            {
                "comment": comment,
                "thread": comment_moderation.around(comment),
                "history": by_status,
                "others": others,
                "mode": comment_services.commenting_mode(comment.post),
            }
        )
    return render(
        request,
        "desk/moderation.html",
        {
            "queue": name,
            "queues": comment_moderation.QUEUES,
            "counts": comment_moderation.counts(),
            "page": page,
            "rows": rows,
            "modes": CommentingMode.choices,
            "ban_targets": [
                (RuleTarget.NAME, "name"),
                (RuleTarget.EMAIL, "email"),
                (RuleTarget.ADDRESS, "address"),
                (RuleTarget.NETWORK, "network"),
            ],
            "rule_targets": [
                (RuleTarget.WORD, "Word"),
                (RuleTarget.NAME, "Name"),
                (RuleTarget.EMAIL, "Email"),
            ],
            "rule_actions": RuleAction.choices,
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    queue = request.POST.get("queue", "pending")
    page = request.POST.get("page", "")
    query = f"?queue={queue}" if queue in comment_moderation.QUEUES else ""
    if query and page.isdigit():
        query += f"&page={page}"
    return redirect(reverse("desk:moderation") + query)


@moderator_required
@require_POST
def moderate(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        # A form sent without its button (a script, a browser extension, a stale page) must not
        # take a comment down: only an explicit decision acts.
        raise UnknownDecision('Choose "approve", "spam", "not spam" or "delete" for the comment.')
    comment_moderation.decide([comment], decision, site_root=request.build_absolute_uri("/"))
    return _back(request)


@moderator_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        raise UnknownDecision("Choose what to do with the selected comments.")
    ids = [int(value) for value in request.POST.getlist("selected") if value.isdigit()]
    if not ids:
        raise DeskError("Select at least one comment.")
    chosen = Comment.objects.select_related("post").filter(pk__in=ids)
    comment_moderation.decide(chosen, decision, site_root=request.build_absolute_uri("/"))
    return _back(request)


@moderator_required
@require_POST
def ban(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment, pk=comment_id)
    try:
        comment_moderation.ban(
            comment, request.POST.get("target", ""), request.POST.get("action", "ban")
        )
        if request.POST.get("action") in (RuleAction.BAN, RuleAction.SHADOW):
            comment_moderation.decide([comment], "spam", site_root=request.build_absolute_uri("/"))
    except CommentError as error:
        raise DeskError(str(error)) from None
    return _back(request)


@moderator_required
@require_POST
def add_rule(request: HttpRequest) -> HttpResponse:
    try:
        comment_moderation.add_rule(
            request.POST.get("target", ""),
            request.POST.get("pattern", ""),
            request.POST.get("action", RuleAction.HOLD),
        )
    except CommentError as error:
        raise DeskError(str(error)) from None
    return _back(request)


@moderator_required
@require_POST
def post_mode(request: HttpRequest, post_id: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=post_id)
    try:
        comment_services.set_commenting_mode(post, request.POST.get("mode", ""))
    except CommentError as error:
        raise DeskError(str(error)) from None
    return _back(request)
