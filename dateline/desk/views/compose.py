"""Compose, draft-first: one screen for a new post (from an article or a story) and for editing
any post, draft or published.

A new post's screen is a form pre-filled from the article; nothing is written until the editor
saves, previews, schedules or publishes. Every save goes through `blog.services.save_post` in one
transaction and keeps a revision; a form loaded from an older revision than the post's newest is
refused with the editor's text kept on the page. Works without JavaScript: ticking a paragraph is
a checkbox, adding a citation is a button.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.exceptions import BlogError, PostGone, SlugTaken, StaleEdit
from dateline.blog.models import Post, PostStatus, labels_of, parts_of
from dateline.desk import composing
from dateline.desk.access import editor_required
from dateline.desk.forms import CitationFormSet, ComposeForm
from dateline.desk.models import remember_signature, signature_of
from dateline.stories.models import Story
from dateline.wire import services as wire_services
from dateline.wire.models import Article

CITATIONS_PREFIX = "citations"
# What each button does to the post's status (None keeps it).
STATUS_FOR_ACTION = {
    "draft": PostStatus.DRAFT,
    "preview": None,
    "publish": PostStatus.PUBLISHED,
    "schedule": PostStatus.SCHEDULED,
    "save": None,
}


@editor_required
def compose_story(request: HttpRequest, story_id: int) -> HttpResponse:
    """A new draft from the story's best article (the triage list's `c`)."""
    story = Story.objects.filter(pk=story_id).first()
    if story is not None and story.merged_into_id is not None:
        # Merged since the triage list was drawn: the story it went into.
        story = Story.objects.filter(pk=story.merged_into_id).first()
    article_id = composing.best_article_id(story) if story is not None else None
    if article_id is None:
        raise Http404("no such story, or a story without articles")
    return redirect("desk:compose", article_id=article_id)


@editor_required
def compose(request: HttpRequest, article_id: int) -> HttpResponse:
    """A new draft from one article."""
    found = composing.article_with_story(article_id)
    if found is None:
        raise Http404("no such article")
    article, story = found
    if request.method != "POST" and wire_services.needs_text(article):
        if request.GET.get("text") != "now":
            # The wire has only the feed's summary: say so while the page is fetched (the next
            # address fetches it; a meta refresh needs no JavaScript).
            return render(
                request,
                "desk/fetching.html",
                {"article": article, "next_url": f"{request.path}?text=now"},
            )
        article = wire_services.fetch_text_now(article)
    screen = _Screen(request, post=None, story=story, primary=article)
    return screen.respond()


@editor_required
def edit_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """The same screen for an existing post, draft or published."""
    post = Post.objects.select_related("story").filter(pk=post_id).first()
    if post is None:
        raise Http404("no such post")
    screen = _Screen(request, post=post, story=post.story, primary=None)
    return screen.respond()


class _Screen:
    """The compose form for one request: built from its source on GET, from the POST otherwise."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        post: Post | None,
        story: Story | None,
        primary: Article | None,
    ) -> None:
        self.request = request
        self.post = post
        self.story = story
        self.primary = primary
        self.signature = signature_of(request.user)
        self.show_errors = False
        self.link_error = ""
        self.updates: list[Any] = []
        self.articles: dict[int, Article] = {}

    # --- GET -----------------------------------------------------------------------------------

    def respond(self) -> HttpResponse:
        if self.request.method == "POST":
            return self._post()
        suggestions = composing.suggested_labels(self.story)
        if self.post is None:
            assert self.primary is not None
            initial = composing.new_post_initial(self.primary, self.signature)
            initial["suggested"] = suggestions
            citations = [composing.citation_initial(self.primary)]
            self.articles = {self.primary.pk: self.primary}
        else:
            start = composing.post_initial(
                self.post, parts_of(self.post), [label.name for label in labels_of(self.post)]
            )
            initial, citations, self.articles = start.initial, start.citations, start.articles
            self.updates = start.updates
            initial["signature"] = initial["signature"] or self.signature
            initial["base_revision"] = blog_services.latest_revision_number(self.post)
            # Labels already on the post are in the text box; suggestions are the others.
            have = {name.strip().casefold() for name in initial["labels"].split(",")}
            suggestions = [name for name in suggestions if name.casefold() not in have]
        form = ComposeForm(initial=initial, suggestions=suggestions)
        formset = CitationFormSet(initial=citations, prefix=CITATIONS_PREFIX)
        return self._render(form, formset)

    # --- POST ----------------------------------------------------------------------------------

    def _post(self) -> HttpResponse:
        data = self.request.POST
        adding = data.get("add_article") or ("link" if data.get("action") == "add_link" else "")
        if adding:
            return self._add_citation(data, adding)
        action = data.get("action", "draft")
        if action not in STATUS_FOR_ACTION:
            action = "draft"
        form, formset = self._bound(data)
        self.show_errors = True
        if not (form.is_valid() and formset.is_valid()):
            messages.error(self.request, "Nothing was saved: see the notes beside the fields.")
            return self._render(form, formset, status=400)
        if action == "schedule" and form.cleaned_data.get("publish_at") is None:
            form.add_error("publish_at", "Pick the day and time to publish it.")
            return self._render(form, formset, status=400)
        return self._save(form, formset, action)

    def _bound(self, data: QueryDict) -> tuple[ComposeForm, Any]:
        suggestions = data.getlist("suggested")
        form = ComposeForm(
            data, suggestions=[*composing.suggested_labels(self.story), *suggestions]
        )
        formset = CitationFormSet(data, prefix=CITATIONS_PREFIX)
        ids = [_row_id(data.get(citation.add_prefix("article"), "")) for citation in formset.forms]
        self.articles = composing.articles_by_id(ids)
        for citation, article_id in zip(formset.forms, ids, strict=False):
            citation.offer(composing.offered(self.articles.get(article_id or 0)).paragraphs)
        if self.post is not None:
            self.updates = [part for part in parts_of(self.post) if part.kind == "update"]
        return form, formset

    def _save(self, form: ComposeForm, formset: Any, action: str) -> HttpResponse:
        data = form.cleaned_data
        citations = []
        for citation in formset.forms:
            fields = citation.cleaned_data
            if not fields or fields.get("leave_out"):
                continue
            source = composing.offered(self.articles.get(fields.get("article") or 0))
            citations.append(composing.citation_draft(fields, source))
        signature = " ".join((data.get("signature") or "").split()) or self.signature
        status = STATUS_FOR_ACTION[action]
        if action == "preview" and (self.post is None or self.post.status == PostStatus.DRAFT):
            status = PostStatus.DRAFT
        publish_at = data.get("publish_at")
        if publish_at is not None and timezone.is_naive(publish_at):
            publish_at = timezone.make_aware(publish_at)
        try:
            post = blog_services.save_post(
                self.post,
                editor=self.request.user,
                headline=data["headline"],
                parts=composing.body_drafts(data, citations, signature=signature),
                labels=composing.label_names(data["labels"], data["suggested"]),
                dateline_place=data["dateline_place"],
                story=self.story if self.post is None else None,
                status=status,
                publish_at=publish_at if action == "schedule" else None,
                base_revision=data.get("base_revision") if self.post is not None else None,
            )
        except StaleEdit as stale:
            messages.error(
                self.request,
                f"Not saved: this post was saved again (revision {stale.current}) since you "
                "opened it. Your text is kept below; compare the revisions, then save again.",
            )
            form.add_error(None, "Saved by someone else meanwhile.")
            return self._render(form, formset, status=409, stale=stale.current)
        except PostGone:
            messages.error(self.request, "Not saved: this post was deleted meanwhile.")
            return self._render(form, formset, status=404)
        except (BlogError, SlugTaken) as error:
            # A rule the blog holds (a citation's address that is no web address, a label too
            # long): shown on the form, which keeps what the editor wrote.
            form.add_error(None, str(error))
            return self._render(form, formset, status=400)
        remember_signature(self.request.user, signature)
        return self._after_save(post, action)

    def _after_save(self, post: Post, action: str) -> HttpResponse:
        if action == "preview":
            return HttpResponseRedirect(post.get_absolute_url())
        if post.status == PostStatus.PUBLISHED and action == "publish":
            messages.success(self.request, f"Published “{post.headline}”.")
            return HttpResponseRedirect(post.get_absolute_url())
        if post.status == PostStatus.SCHEDULED:
            when = timezone.localtime(post.published_at).strftime("%A %-d %B %Y, %H:%M")
            messages.success(self.request, f"Scheduled for {when}.")
        elif post.status == PostStatus.PUBLISHED:
            messages.success(self.request, "Saved; the published post shows the change.")
        else:
            messages.success(self.request, "Draft saved.")
        return redirect("desk:edit_post", post_id=post.pk)

    # --- adding a citation (no save) -------------------------------------------------------------

    def _add_citation(self, data: QueryDict, adding: str) -> HttpResponse:
        article: Article | None = None
        typed_url = ""
        if adding == "link":
            typed_url = data.get("link", "").strip()
            try:
                article = wire_services.clip(typed_url).article
            except wire_services.ClipFailed as failed:
                self.link_error = f"{failed.reason} Type the citation by hand below."
        elif (wanted := _row_id(adding)) is not None:
            article = composing.articles_by_id([wanted]).get(wanted)
        if article is None and not typed_url:
            messages.error(self.request, "That article is gone from the wire.")
            form, formset = self._bound(data)
            return self._render(form, formset, status=400)
        grown = data.copy()
        total_key = f"{CITATIONS_PREFIX}-TOTAL_FORMS"
        count = int(grown.get(total_key, "0")) if grown.get(total_key, "0").isdigit() else 0
        fields = (
            composing.citation_initial(article)
            if article is not None
            else {"article": "", "outlet_name": "", "source_headline": "", "url": typed_url}
        )
        for name, value in fields.items():
            grown[f"{CITATIONS_PREFIX}-{count}-{name}"] = "" if value is None else str(value)
        grown[total_key] = str(count + 1)
        grown.pop("link", None)
        form, formset = self._bound(grown)
        return self._render(form, formset, status=200 if not self.link_error else 400)

    # --- the page ----------------------------------------------------------------------------

    def _render(
        self, form: ComposeForm, formset: Any, *, status: int = 200, stale: int | None = None
    ) -> HttpResponse:
        cited = [
            (citation, composing.offered(self.articles.get(_article_id(citation) or 0)))
            for citation in formset.forms
        ]
        for citation, source in cited:
            citation.offer(source.paragraphs)
        cited_ids = [source.article.pk for _, source in cited if source.article is not None]
        context = {
            "post": self.post,
            "story": self.story,
            "form": form,
            "formset": formset,
            "cited": cited,
            "more_articles": composing.story_articles(self.story, leaving_out=cited_ids),
            "earlier_posts": composing.earlier_posts(
                self.story, leaving_out=self.post.pk if self.post else None
            ),
            "updates": self.updates,
            "show_errors": self.show_errors,
            "link_error": self.link_error,
            "stale": stale,
            "has_raw_html": bool(form["raw_html"].value()),
            "action_url": self.request.get_full_path().split("?")[0],
            "revisions_url": (
                reverse("desk:revisions", kwargs={"post_id": self.post.pk}) if self.post else ""
            ),
        }
        return render(self.request, "desk/compose.html", context, status=status)


def _row_id(text: str) -> int | None:
    """A row id typed in a form, or None: a number past what a database key holds (a forged
    form's) would fail the query itself on SQLite and PostgreSQL alike."""
    return int(text) if text.isdigit() and len(text) <= 15 else None


def _article_id(citation: Any) -> int | None:
    value = citation["article"].value()
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
