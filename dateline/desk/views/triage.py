"""Triage: the open stories, in rank order, for the editor to pick from, filter, dismiss, snooze
or mark covered. Every request costs the same few queries whatever the number of stories and
articles (decision 0089)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Exists, F, Min, OuterRef, Q, TextField
from django.db.models.functions import Cast, Coalesce, Least
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from dateline.blog.models import Post
from dateline.desk.access import editor_required
from dateline.desk.exceptions import StoryActionRefused
from dateline.desk.models import StoryDeskState
from dateline.stories.models import Story, StoryArticle
from dateline.wire.models import Feed, Outlet

STORIES_ON_DESK = 30
# Outlets named on a story's row, earliest reporter first; the rest are counted.
OUTLETS_PER_STORY = 8
# What "s" and the snooze button offer, in hours; the first is the default.
SNOOZE_HOURS = (4, 1, 24, 168)
# Rendered once: thirty stories each offer them.
SNOOZE_OPTIONS = format_html_join(
    "",
    '<option value="{}">{}</option>',
    (
        (hours, f"{hours} h" if hours < 24 else "a day" if hours == 24 else "a week")
        for hours in SNOOZE_HOURS
    ),
)
VIEWS = {"open": "Open", "snoozed": "Snoozed", "dismissed": "Dismissed"}


class TriageFilters(forms.Form):
    """The filters of the triage list, read from the query string; an unknown value is ignored
    rather than refused, so a stale bookmark still opens the desk."""

    q = forms.CharField(required=False, max_length=200, label="Text")
    label = forms.CharField(required=False, max_length=200, label="Folder")
    outlet = forms.IntegerField(required=False, min_value=1)
    country = forms.RegexField(required=False, regex=r"^[A-Za-z]{2}$")
    language = forms.RegexField(required=False, regex=r"^[A-Za-z]{2,8}$")
    show = forms.ChoiceField(required=False, choices=list(VIEWS.items()))

    def values(self) -> dict[str, Any]:
        self.is_valid()  # an invalid field is left out of cleaned_data: that filter is off
        values = {name: value for name, value in self.cleaned_data.items() if value}
        values["show"] = values.get("show") or "open"
        return values


@dataclass(frozen=True)
class OutletReport:
    name: str
    first_at: datetime

    # Formatted here rather than by the template's date filter: a page shows hundreds of these,
    # and the filter's localisation lookups were most of the page's time.
    @property
    def machine_time(self) -> str:
        return timezone.localtime(self.first_at).replace(microsecond=0).isoformat()

    @property
    def shown_time(self) -> str:
        local = timezone.localtime(self.first_at)
        return f"{local.day} {local:%b %H:%M}"


@dataclass(frozen=True)
class StoryRow:
    story: Story
    state: StoryDeskState | None
    outlets: list[OutletReport]
    more_outlets: int
    posts: list[Post]
    now: datetime

    @property
    def snoozed_until(self) -> str:
        if self.state is None or not self.state.snoozed_at(self.now):
            return ""
        assert self.state.snoozed_until is not None
        local = timezone.localtime(self.state.snoozed_until)
        return f"{local:%a} {local.day} {local:%b, %H:%M}"

    @property
    def outlets_html(self) -> str:
        """The outlets' items, built here: eight outlets of thirty stories, three values each,
        were most of the template's work."""
        return format_html_join(
            "",
            '<li dir="auto">{} <time datetime="{}">{}</time></li>',
            ((report.name, report.machine_time, report.shown_time) for report in self.outlets),
        )

    @property
    def marked_covered(self) -> bool:
        # Asked here, not as `row.state.covered` in the template: looking up an attribute of
        # None there raises and catches three exceptions, thirty times a page.
        return self.state is not None and self.state.covered

    @property
    def covered(self) -> bool:
        return bool(self.posts) or self.marked_covered


def _json_list_holds(field: str, value: str) -> Q:
    """``field`` (a JSON list of short codes) holds ``value``. The list's text is searched for the
    quoted code: JSON ``contains`` is not available on SQLite, and the codes are letters only
    (checked by the form), so a quoted code matches exactly one element."""
    return Q(**{f"{field}_text__contains": f'"{value}"'})


def filtered(stories: Any, filters: dict[str, Any], now: datetime) -> Any:
    """The triage list under ``filters``: each is one more condition on the one story query."""
    show = filters["show"]
    if show == "dismissed":
        stories = stories.filter(desk_state__dismissed=True)
    elif show == "snoozed":
        stories = stories.filter(desk_state__dismissed=False, desk_state__snoozed_until__gt=now)
    else:
        stories = stories.exclude(desk_state__dismissed=True).exclude(
            desk_state__snoozed_until__gt=now
        )
    members = StoryArticle.objects.filter(story_id=OuterRef("pk"))
    if label := filters.get("label"):
        # Feeds are few (hundreds) and their labels a JSON list: read in Python, once.
        feed_ids = [
            pk for pk, labels in Feed.objects.values_list("pk", "labels") if label in (labels or [])
        ]
        stories = stories.filter(Exists(members.filter(article__feed_id__in=feed_ids)))
    if outlet := filters.get("outlet"):
        stories = stories.filter(Exists(members.filter(article__outlet_id=outlet)))
    if country := filters.get("country"):
        stories = stories.alias(countries_text=Cast("countries", TextField())).filter(
            _json_list_holds("countries", country.upper())
        )
    if language := filters.get("language"):
        stories = stories.alias(languages_text=Cast("languages", TextField())).filter(
            _json_list_holds("languages", language.lower())
        )
    if text := filters.get("q"):
        stories = stories.filter(
            Q(headline__icontains=text) | Exists(members.filter(article__title__icontains=text))
        )
    return stories


def story_rows(stories: list[Story], now: datetime) -> list[StoryRow]:
    """Each story with its outlets (first report each) and its posts: two queries for them all."""
    ids = [story.pk for story in stories]
    first_reports: dict[int, list[OutletReport]] = defaultdict(list)
    seen = Least(
        Coalesce(F("article__published_at"), F("article__fetched_at")), F("article__fetched_at")
    )
    reports = (
        StoryArticle.objects.filter(story_id__in=ids)
        .values("story_id", "article__outlet__name")
        .annotate(first_at=Min(seen))
        .order_by("story_id", "first_at", "article__outlet__name")
    )
    for report in reports:
        first_reports[report["story_id"]].append(
            OutletReport(name=report["article__outlet__name"], first_at=report["first_at"])
        )
    posts: dict[int, list[Post]] = defaultdict(list)
    for post in Post.objects.filter(story_id__in=ids).only(
        "id", "headline", "slug", "published_at", "status", "story_id", "kind"
    ):
        posts[post.story_id].append(post)  # type: ignore[index]
    rows = []
    for story in stories:
        outlets = first_reports.get(story.pk, [])
        rows.append(
            StoryRow(
                story=story,
                state=getattr(story, "desk_state", None),
                outlets=outlets[:OUTLETS_PER_STORY],
                more_outlets=max(0, len(outlets) - OUTLETS_PER_STORY),
                posts=posts.get(story.pk, []),
                now=now,
            )
        )
    return rows


def _options(pairs: Any, chosen: object) -> str:
    """A select's options, built here: the outlets alone are hundreds, and the template's loop
    over them cost more than the rest of the page."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value == chosen else "", shown)
            for value, shown in pairs
        ),
    )


def filter_choices(filters: dict[str, Any]) -> dict[str, str]:
    """What the filters offer, as rendered options: the feeds' folder labels and the outlets,
    with their countries and languages (two queries; outlets and feeds are hundreds, not
    thousands)."""
    labels = sorted(
        {
            label
            for labels in Feed.objects.values_list("labels", flat=True)
            for label in labels or []
        }
    )
    outlets = list(Outlet.objects.order_by("name").values_list("pk", "name", "country", "language"))
    countries = sorted({country.upper() for _, _, country, _ in outlets if country})
    languages = sorted(
        {
            language.strip().replace("_", "-").split("-")[0].lower()
            for _, _, _, language in outlets
            if language.strip()
        }
    )
    return {
        "labels": _options(((label, label) for label in labels), filters.get("label")),
        "outlets": _options(((pk, name) for pk, name, _, _ in outlets), filters.get("outlet")),
        "countries": _options(
            ((code, code) for code in countries), (filters.get("country") or "").upper()
        ),
        "languages": _options(
            ((code, code) for code in languages), (filters.get("language") or "").lower()
        ),
    }


@editor_required
def triage(request: HttpRequest) -> HttpResponse:
    form = TriageFilters(request.GET)
    filters = form.values()
    now = timezone.now()
    # Ranked as `Story.objects.for_desk` ranks them (decision 0027), without its articles: the
    # row names the outlets, with their first reports, and the story page lists the articles.
    # Prefetching even three articles per story was most of the page's time at 1,000 stories.
    stories = list(
        filtered(Story.objects.open().ranked(), filters, now).select_related("desk_state")[
            :STORIES_ON_DESK
        ]
    )
    query = request.GET.copy()
    query.pop("fragment", None)
    here = f"{request.path}?{query.urlencode()}" if query else request.path
    query["fragment"] = "list"
    context = {
        "rows": story_rows(stories, now),
        "snooze_options": SNOOZE_OPTIONS,
        "filters": filters,
        "view_name": VIEWS[filters["show"]],
        "views": VIEWS,
        "snooze_hours": SNOOZE_HOURS,
        "now": now,
        "here": here,
        "poll_url": f"{request.path}?{query.urlencode()}",
    }
    if request.GET.get("fragment") == "list":
        # What the page's poll asks for: the list alone, to swap in without a reload.
        return render(request, "desk/_triage_list.html", context)
    context["choices"] = filter_choices(filters)
    context["form"] = form
    return render(request, "desk/triage.html", context)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def set_state(story: Story, action: str, editor: Any, *, hours: str = "") -> str:
    """Applies one triage action to the story's desk state; returns what to tell the editor."""
    now = timezone.now()
    state = StoryDeskState.objects.filter(story=story).first() or StoryDeskState(story=story)
    headline = story.headline or "Untitled story"
    if action == "dismiss":
        state.dismissed = True
        said = f"Dismissed “{headline}”."
    elif action == "snooze":
        try:
            length = int(hours or SNOOZE_HOURS[0])
        except ValueError:
            length = 0
        if length not in SNOOZE_HOURS:
            raise StoryActionRefused("Choose how long to snooze the story from the list.")
        state.snoozed_until = now + timedelta(hours=length)
        local = timezone.localtime(state.snoozed_until)
        said = f"Snoozed “{headline}” until {local:%a %d %b, %H:%M}."
    elif action == "cover":
        state.covered = True
        said = f"Marked “{headline}” as covered."
    elif action == "uncover":
        state.covered = False
        said = f"“{headline}” is no longer marked as covered."
    elif action == "restore":
        state.dismissed, state.snoozed_until = False, None
        said = f"“{headline}” is back on the list."
    else:
        raise StoryActionRefused("Choose dismiss, snooze, covered or restore for the story.")
    state.changed_at = now
    state.changed_by = editor if editor.is_authenticated else None
    state.save()
    return said


@editor_required
@require_POST
def story_state(request: HttpRequest, story_id: int) -> HttpResponse:
    story = get_object_or_404(Story, pk=story_id)
    said = set_state(
        story, request.POST.get("action", ""), request.user, hours=request.POST.get("hours", "")
    )
    messages.success(request, said)
    return redirect(_back(request, "/desk/"))
