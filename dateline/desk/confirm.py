"""Confirm before a destructive action: one pattern for every desk page.

A form whose action cannot be undone carries `data-confirm="the question"`; the desk's script
(`desk/desk.js`) asks it in the browser and, on yes, adds `confirmed=yes` to the form before it is
sent. Without JavaScript the form arrives without it, and the view answers with a page that asks
the same question and re-posts the same fields with `confirmed=yes`:

    asking = confirm.ask(request, question="Reject this comment?", yes="Reject",
                         cancel_url=reverse("desk:moderation"))
    if asking is not None:
        return asking
    ...do it...
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

CONFIRMED_FIELD = "confirmed"
CONFIRMED_VALUE = "yes"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED_FIELD) == CONFIRMED_VALUE


def ask(
    request: HttpRequest, *, question: str, yes: str, cancel_url: str | None = None
) -> HttpResponse | None:
    """None when the POST says it was confirmed; otherwise the page that asks `question`."""
    if is_confirmed(request):
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRMED_FIELD)
        for value in values
    ]
    if cancel_url is None or not url_has_allowed_host_and_scheme(
        str(cancel_url), allowed_hosts={request.get_host()}
    ):
        cancel_url = "/desk/"
    return render(
        request,
        "desk/confirm.html",
        {
            "question": question,
            "yes": yes,
            "fields": fields,
            "action": request.get_full_path(),
            "cancel_url": cancel_url,
            "confirmed_field": CONFIRMED_FIELD,
            "confirmed_value": CONFIRMED_VALUE,
        },
    )
