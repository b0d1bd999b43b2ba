"""Clip any URL: the wire fetches and reads the page, then the compose screen opens on it.

`/desk/clip/?url=…` (what the bookmarklet opens) shows the address ready to clip; posting it
asks the wire's clip service, the only thing this view calls. A page that cannot be fetched or
read is said so, with a form to type the citation by hand.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dateline.desk.access import editor_required
from dateline.wire import services as wire_services


class ClipForm(forms.Form):
    url = forms.CharField(max_length=2000, label="Address of the page")


class ByHandForm(forms.Form):
    url = forms.URLField(max_length=2000, label="Address", assume_scheme="https")
    outlet_name = forms.CharField(max_length=200, label="Outlet")
    title = forms.CharField(max_length=2000, required=False, label="Their headline")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
        required=False,
        max_length=50_000,
        label="Text to quote from",
        help_text="Paste the paragraphs; a blank line between them.",
    )


@editor_required
def clip(request: HttpRequest) -> HttpResponse:
    problem = ""
    by_hand = None
    if request.method == "POST" and request.POST.get("by_hand"):
        by_hand = ByHandForm(request.POST, prefix="hand")
        form = ClipForm(initial={"url": request.POST.get("hand-url", "")})
        if by_hand.is_valid():
            try:
                clipped = wire_services.clip_by_hand(**by_hand.cleaned_data)
            except wire_services.ClipFailed as failed:
                by_hand.add_error(None, failed.reason)
            else:
                return redirect("desk:compose", article_id=clipped.article.pk)
    elif request.method == "POST":
        form = ClipForm(request.POST)
        if form.is_valid():
            url = form.cleaned_data["url"].strip()
            try:
                clipped = wire_services.clip(url)
            except wire_services.ClipFailed as failed:
                problem = failed.reason
                by_hand = ByHandForm(initial={"url": url}, prefix="hand")
            else:
                return redirect("desk:compose", article_id=clipped.article.pk)
    else:
        form = ClipForm(initial={"url": request.GET.get("url", "")[:2000]})
    bookmarklet = (
        "javascript:void(location.href="
        f"'{request.build_absolute_uri(reverse('desk:clip'))}?url='"
        "+encodeURIComponent(location.href))"
    )
    return render(
        request,
        "desk/clip.html",
        {"form": form, "problem": problem, "by_hand": by_hand, "bookmarklet": bookmarklet},
        status=400 if problem or (by_hand is not None and by_hand.errors) else 200,
    )
