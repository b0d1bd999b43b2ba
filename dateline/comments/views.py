"""Readers post, edit and report comments here; the post page shows them (see sections.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dateline.comments import notifications, services
from dateline.comments.domain.submission import FIELD_LABELS, nul_problem, without_controls
from dateline.comments.exceptions import CommentError, CommentsClosed
from dateline.comments.forms import raw_fields
from dateline.comments.models import Comment
from dateline.core.client_address import client_address

# The author's proof that a comment is theirs, for the edit window: a signed cookie per browser.
EDIT_COOKIE = "dateline_comment_edit"
_EDIT_SALT = "dateline.comments.edit"


# The form sits in fully cached public pages, so it cannot carry a per-visitor CSRF token. That is
# safe here: posting a comment acts for nobody (the session's identity is never used), and abuse is
# handled by the honeypot, the signed form stamp, rate limits and moderation.
@csrf_exempt
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = services.commentable_post(post_id)
    data = raw_fields(request.POST)
    problem, field = "", ""
    for name in ("author_name", "email", "url", "body"):
        found = nul_problem(name, data[name])
        if found is not None:
            problem, field = found.problem, found.field
            break
    parent_text = data["parent"].strip()
    if not problem and parent_text and not parent_text.isdigit():
        problem = "The comment you replied to is not there any more."
    if not problem:
        try:
            sent = services.submit(
                post,
                author_name=data["author_name"],
                email=data["email"],
                url=data["url"],
                body=data["body"],
                honeypot=data["website"],
                stamp=data["stamp"],
                parent_id=int(parent_text) if parent_text else None,
                notify_replies=data["notify"] in ("on", "true", "1"),
                client_address=client_address(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                site_root=request.build_absolute_uri("/"),
            )
        except CommentError as error:
            problem, field = str(error), error.field
        else:
            return _thanks(request, post, sent)
    # Shown again with what the reader wrote (control characters removed: never echoed), so
    # nothing typed is lost, and a fresh stamp.
    shown = {name: without_controls(value) for name, value in data.items()}
    shown["stamp"] = services.form_stamp()
    return render(
        request,
        "comments/retry.html",
        {
            "post": post,
            "form": shown,
            "problem": problem,
            "problem_field": field,
            "problem_label": FIELD_LABELS.get(field, ""),
            "notice": services.moderation_policy().notice(),
        },
        status=400,
    )


def _thanks(request: HttpRequest, post: object, sent: services.Sent) -> HttpResponse:
    comment = sent.comment
    # Never for spam (a shadowbanned author included): can_still_edit says no.
    can_edit = services.can_still_edit(comment)
    response = render(
        request,
        "comments/thanks.html",
        {
            "post": post,
            "comment": comment,
            "shown": sent.shown,
            "can_edit": can_edit,
            "edit_minutes": settings.COMMENT_EDIT_MINUTES,
        },
    )
    if can_edit:
        owned = _owned(request)
        owned = [*owned[-19:], comment.pk] if comment.pk not in owned else owned
        response.set_signed_cookie(
            EDIT_COOKIE,
            ",".join(str(pk) for pk in owned),
            salt=_EDIT_SALT,
            max_age=settings.COMMENT_EDIT_MINUTES * 60,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    response["Cache-Control"] = "private, no-store"
    return response


def _owned(request: HttpRequest) -> list[int]:
    value = request.get_signed_cookie(
        EDIT_COOKIE,
        default="",
        salt=_EDIT_SALT,
        max_age=max(settings.COMMENT_EDIT_MINUTES, 1) * 60,
    )
    return [int(part) for part in (value or "").split(",") if part.isdigit()]


@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None or comment_id not in _owned(request):
        return _message(
            request,
            "Not yours to edit",
            "This comment can be edited only from the browser that sent it, for "
            f"{settings.COMMENT_EDIT_MINUTES} minutes after sending it.",
            status=403,
        )
    if not services.can_still_edit(comment):
        return _message(request, "Too late to edit", "This comment can no longer be edited.", 403)
    problem = ""
    body = comment.body
    if request.method == "POST":
        body = str(request.POST.get("body", ""))
        found = nul_problem("body", body)
        try:
            if found is not None:
                raise CommentError(found.problem, field="body")
            services.edit(comment, body=body)
        except CommentError as error:
            problem = str(error)
            body = without_controls(body)
        else:
            return _message(
                request,
                "Saved",
                "Your comment was changed.",
                link=comment.post.get_absolute_url() + f"#comment-{comment.pk}",
                link_text="See it on the post",
            )
    response = render(
        request,
        "comments/edit.html",
        {"comment": comment, "body": body, "problem": problem},
        status=400 if problem else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Like the comment form, report buttons sit in cached pages: the signed stamp stands in for CSRF.
@csrf_exempt
@require_POST
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    try:
        services.report(
            comment_id,
            stamp=str(request.POST.get("stamp", "")),
            client_address=client_address(request),
        )
    except CommentError as error:
        return _message(request, "Not reported", str(error), 400, alert=True)
    return _message(
        request,
        "Reported",
        "Thank you: the moderators will look at this comment.",
        link="/",
        link_text="Back to the site",
    )


# A mail client or link scanner may fetch a link on its own: the link shows a button, and only
# the button (a POST) acts. Signed and used once, it needs no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def mail_action(request: HttpRequest, token: str) -> HttpResponse:
    try:
        comment_id, action = notifications.read_action_link(token)
    except notifications.LinkProblem as problem:
        return _message(request, "Link not valid", str(problem), 400, alert=True)
    comment = Comment.objects.select_related("post").filter(pk=comment_id).first()
    if comment is None:
        raise CommentsClosed(f"comment {comment_id} is gone")
    verb = "Approve" if action == "approve" else "Delete"
    if request.method == "GET":
        return _message(
            request,
            f"{verb} this comment?",
            f"{comment.display_name} on “{comment.post.title}”: {comment.body[:300]}",
            confirm=verb,
        )
    try:
        with transaction.atomic():
            notifications.use_link(token)
            if action == "approve":
                services.approve(comment, site_root=request.build_absolute_uri("/"))
            else:
                services.reject(comment)
    except notifications.LinkProblem as problem:
        return _message(request, "Link already used", str(problem), 400, alert=True)
    return _message(
        request,
        "Done",
        f"The comment was {'approved' if action == 'approve' else 'deleted'}.",
        link=comment.post.get_absolute_url(),
        link_text="See the post",
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        comment_id = notifications.read_unsubscribe_link(token)
    except notifications.LinkProblem as problem:
        return _message(request, "Link not valid", str(problem), 400, alert=True)
    if request.method == "GET":
        return _message(
            request,
            "Stop mail about replies?",
            "You will get no more mail about replies to this comment.",
            confirm="Stop the mail",
        )
    Comment.objects.filter(pk=comment_id).update(notify_replies=False)
    return _message(request, "Done", "No more mail about replies to this comment.")


def _message(
    request: HttpRequest,
    heading: str,
    message: str,
    status: int = 200,
    *,
    alert: bool = False,
    confirm: str = "",
    link: str = "",
    link_text: str = "",
) -> HttpResponse:
    response = render(
        request,
        "comments/message.html",
        {
            "heading": heading,
            "message": message,
            "alert": alert,
            "confirm": confirm,
            "link": link,
            "link_text": link_text,
            "now": timezone.now(),
        },
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response
