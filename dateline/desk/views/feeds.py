"""Feeds and outlets: follow a feed or a site, see how each feed polls, pause, resume, full text,
and OPML in and out. Screens over the wire's services only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dateline.core.safehttp import FetchError
from dateline.desk import confirm
from dateline.desk.access import editor_required
from dateline.desk.feeds_forms import AddFeedForm, ImportOpmlForm
from dateline.wire import services as wire
from dateline.wire.exceptions import WireError

# More than the wire reads of an OPML file, so a larger one is refused by its rule, with its words.
OPML_READ_LIMIT = 6 * 1024 * 1024


def _page(
    request: HttpRequest,
    *,
    add_form: AddFeedForm | None = None,
    import_form: ImportOpmlForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "desk/feeds.html",
        {
            "feeds": wire.feed_health(),
            "add_form": add_form or AddFeedForm(),
            "import_form": import_form or ImportOpmlForm(),
        },
        status=status,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = AddFeedForm(request.POST)
    if not form.is_valid():
        return _page(request, add_form=form, status=400)
    try:
        added = wire.add_from_url(
            form.cleaned_data["url"].strip(), outlet_name=form.cleaned_data["outlet_name"].strip()
        )
    except (FetchError, WireError) as error:
        form.add_error("url", str(error))
        return _page(request, add_form=form, status=400)
    feed = added.feed
    name = feed.outlet.name
    if feed.title and feed.title != name:
        name = f"{feed.title} ({name})"
    messages.success(request, f"Following {name}: its articles come in with the next poll.")
    for other in added.alternatives:
        messages.info(request, f"The page also names {other.title or 'a feed'}: {other.url}")
    return redirect("desk:feeds")


@editor_required
@require_POST
def set_active(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = wire.get_feed(feed_id)
    active = request.POST.get("active") == "on"
    name = feed.title or feed.outlet.name
    if not active:
        asking = confirm.ask(
            request,
            question=f"Pause {name}? Nothing new comes from it until you resume it.",
            yes="Pause the feed",
            cancel_url="/desk/feeds/",
        )
        if asking is not None:
            return asking
    wire.set_active(feed, active)
    messages.success(request, f"{'Resumed' if active else 'Paused'} {name}.")
    return redirect("desk:feeds")


@editor_required
@require_POST
def set_full_text(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = wire.get_feed(feed_id)
    wanted = request.POST.get("full_text") == "on"
    wire.set_full_text(feed, wanted)
    name = feed.title or feed.outlet.name
    messages.success(
        request,
        f"New articles of {name} will be fetched in full."
        if wanted
        else f"New articles of {name} keep the feed's summary only.",
    )
    return redirect("desk:feeds")


@editor_required
@require_POST
def import_opml(request: HttpRequest) -> HttpResponse:
    form = ImportOpmlForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    try:
        result = wire.import_opml(form.cleaned_data["opml"].read(OPML_READ_LIMIT + 1))
    except WireError as error:
        form.add_error("opml", str(error))
        return _page(request, import_form=form, status=400)
    messages.success(
        request,
        f"Imported: {result.added} new feed{'s' if result.added != 1 else ''}, "
        f"{result.already_followed} already followed.",
    )
    if result.skipped:
        messages.warning(
            request,
            f"Skipped {len(result.skipped)} entr{'ies' if len(result.skipped) != 1 else 'y'} "
            "whose address is not a web address.",
        )
    return redirect("desk:feeds")


@editor_required
@require_GET
def export_opml(request: HttpRequest) -> HttpResponse:
    answer = HttpResponse(wire.export_opml(), content_type="text/x-opml; charset=utf-8")
    day = timezone.localdate().isoformat()
    answer["Content-Disposition"] = f'attachment; filename="dateline-feeds-{day}.opml"'
    return answer
