"""Readers post comments here; the post page shows the approved ones (see sections.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dateline.comments import services
from dateline.comments.exceptions import CommentError
from dateline.comments.forms import CommentForm


# The form sits in fully cached public pages, so it cannot carry a per-visitor CSRF token. That is
# safe here: posting a comment acts for nobody (the session's identity is never used), and abuse is
# handled by the honeypot, the signed form stamp and moderation.
@csrf_exempt
@require_POST
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = services.commentable_post(post_id)
    form = CommentForm(request.POST)
    problem = "Please check the fields below."
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.submit(
                post,
                author_name=data["author_name"],
                body=data["body"],
                honeypot=data["website"],
                stamp=data["stamp"],
            )
        except CommentError as error:
            problem = str(error)
        else:
            return render(request, "comments/thanks.html", {"post": post})
    # Shown again with what the reader wrote, so nothing typed is lost, and a fresh stamp.
    form = CommentForm(
        initial={"stamp": services.form_stamp()},
        data={**request.POST.dict(), "stamp": services.form_stamp()},
    )
    return render(
        request, "comments/retry.html", {"post": post, "form": form, "problem": problem}, status=400
    )
