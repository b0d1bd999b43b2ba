"""Update suggestions: when a new outlet reports a story a published post covers, the inbox offers
an "Update:" line citing it; the editor accepts (perhaps after editing the text) or dismisses.

`suggest_updates` listens to `stories.signals.story_updated` and only writes rows: it runs in the
clustering worker, after the batch committed, and must cost that worker next to nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dateline.blog import services as blog_services
from dateline.blog.domain.drafts import CitationDraft
from dateline.blog.exceptions import BlogError
from dateline.blog.models import Post, PostKind, PostPart
from dateline.core.markup_text import markup_text
from dateline.desk.exceptions import SuggestionGone, SuggestionRefused
from dateline.desk.models import SuggestionStatus, UpdateSuggestion
from dateline.stories.models import Story
from dateline.wire.models import Article

# The quote offered with a suggestion: the start of the article's summary.
QUOTE_LIMIT = 600


def suggest_updates(sender: Any, *, story: Story, article: Article, **kwargs: Any) -> int:
    """Offers ``article`` as an update to each published post on ``story`` (or on a story merged
    into it) that cites nothing from the article's outlet; returns how many were written.

    None while the story is closed: it is over, and an update would tell readers otherwise.
    """
    if story.closed:
        return 0
    cites_outlet = PostPart.objects.filter(post=OuterRef("pk")).filter(
        Q(article__outlet_id=article.outlet_id)
        | Q(article_id=article.pk)
        | Q(article__isnull=True, outlet_name__iexact=article.outlet.name)
    )
    posts = (
        Post.objects.published()
        .filter(kind=PostKind.POST)  # a page is no news: it never gets an Update
        .filter(Q(story_id=story.pk) | Q(story__merged_into_id=story.pk))
        .exclude(Exists(cites_outlet))
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    rows = [
        UpdateSuggestion(
            post_id=post_id,
            outlet_id=article.outlet_id,
            article=article,
            text=proposed_text(article),
            created_at=now,
        )
        for post_id in posts
    ]
    # One per outlet per post: a second report from the outlet, or a race with another worker,
    # leaves the first suggestion as it is.
    UpdateSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def articles_waiting() -> Any:
    """The articles of pending suggestions: the wire keeps them, since accepting cites them."""
    return UpdateSuggestion.objects.pending().values("article_id")


def proposed_text(article: Article) -> str:
    return article.title.strip() or f"{article.outlet.name} reported on the story."


def proposed_quote(article: Article) -> str:
    text = markup_text(article.summary).strip()
    if len(text) <= QUOTE_LIMIT:
        return text
    return text[:QUOTE_LIMIT].rsplit(" ", 1)[0] + " …"


def _pending(suggestion_id: int) -> UpdateSuggestion:
    suggestion = (
        UpdateSuggestion.objects.select_for_update()
        .select_related("article__outlet")
        .filter(pk=suggestion_id)
        .first()
    )
    if suggestion is None:
        raise SuggestionGone(
            "That suggestion is gone: its post was deleted, or its article was removed."
        )
    if suggestion.status != SuggestionStatus.PENDING:
        raise SuggestionGone(f"That suggestion was already {suggestion.get_status_display()}.")
    return suggestion


@transaction.atomic
def accept(suggestion_id: int, *, text: str, quote: str, editor: Any = None) -> Post:
    """Appends the update to the post (`blog.services.append_update`) and marks the suggestion
    accepted, both or neither; returns the post."""
    suggestion = _pending(suggestion_id)
    post = Post.objects.filter(pk=suggestion.post_id).first()
    if post is None:
        raise SuggestionGone("That post was deleted meanwhile: nothing was added.")
    if not text.strip():
        raise SuggestionRefused("An update needs its text.")
    article = suggestion.article
    citation = CitationDraft(
        outlet_name=article.outlet.name,
        source_headline=article.title,
        url=article.url,
        quoted_excerpt=quote,
        retrieved_at=article.fetched_at,
        article_id=article.pk,
    )
    try:
        blog_services.append_update(post, text=text, citation=citation)
    except BlogError as error:
        raise SuggestionRefused(f"The blog refused the update: {error}") from error
    _decide(suggestion, SuggestionStatus.ACCEPTED, editor)
    return post


@transaction.atomic
def dismiss(suggestion_id: int, *, editor: Any = None) -> None:
    _decide(_pending(suggestion_id), SuggestionStatus.DISMISSED, editor)


def _decide(suggestion: UpdateSuggestion, status: str, editor: Any) -> None:
    suggestion.status = status
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = editor if getattr(editor, "is_authenticated", False) else None
    suggestion.save(update_fields=["status", "decided_at", "decided_by"])
