"""Corrections: editors merging two stories, moving an article out or undoing an automatic merge
(the worker's periodic pass merges through ``merge_stories`` too), and the labelled pairs
editors' corrections leave for retraining.

Corrections are written to the database at once, under the clustering cursor's lock, and logged;
each worker applies the ones made since it last looked to its clusterer before it clusters again,
so a later arrival can never undo one (decision 0026).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from dateline.stories.article_records import article_in, seen_at
from dateline.stories.coverage import recompute_coverage
from dateline.stories.cursor import lock_cursor
from dateline.stories.domain.records import AssignmentReason, ReasonKind
from dateline.stories.exceptions import ArticleNotInStory, InvalidCorrection
from dateline.stories.models import (
    CorrectionKind,
    LabelledPair,
    Story,
    StoryArticle,
    StoryCorrection,
)
from dateline.stories.signals import send_to_every_receiver, stories_merged
from dateline.wire.models import Article

# Pairs kept per correction: a merge of two large stories labels their cross product.
MAX_PAIRS_PER_CORRECTION = 10_000
# Reasons kept per story in a correction's context: as many articles as its pairs can reach.
MAX_REASONS_PER_STORY = 500


def _reasons(article_ids: Iterable[int]) -> dict[str, Any]:
    """Why the clusterer placed each article, as its membership says now, by article id."""
    ids = list(itertools.islice(article_ids, MAX_REASONS_PER_STORY))
    return {
        str(article_id): reason
        for article_id, reason in StoryArticle.objects.filter(article_id__in=ids).values_list(
            "article_id", "reason"
        )
        if reason
    }


def _label_pairs(
    correction: StoryCorrection, pairs: Iterable[tuple[int, int]], *, same: bool
) -> None:
    """Labels each pair, replacing an earlier correction's label: upserted hundreds to a
    statement (as many as the database takes), so the cursor's lock, which the clustering worker
    waits on, is held for a moment, not for a query or two per pair."""
    ordered = {(min(a, b), max(a, b)) for a, b in itertools.islice(pairs, MAX_PAIRS_PER_CORRECTION)}
    rows = [
        LabelledPair(article_a_id=low, article_b_id=high, same_story=same, correction=correction)
        for low, high in sorted(ordered)
    ]
    LabelledPair.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["article_a", "article_b"],
        update_fields=["same_story", "correction"],
    )


def _article_ids(story: Story) -> list[int]:
    return list(story.memberships.order_by("article_id").values_list("article_id", flat=True))


@transaction.atomic
def merge_stories(
    keep: Story, absorb: Story, editor: Any = None, *, automatic: bool = False
) -> StoryCorrection:
    """Moves every article of ``absorb`` into ``keep``; ``absorb`` is closed and points to it.

    Each cross pair of their articles is labelled "same story", unless the merge is
    ``automatic`` (the worker's periodic pass, no editor): the clusterer's own guess is no
    training data. The merged story is open if either was. ``editor`` is the user who asked (or
    None). ``stories_merged`` is sent on commit either way.
    """
    if automatic and editor is not None:
        raise InvalidCorrection("An automatic merge has no editor.")
    lock_cursor()
    keep, absorb = (Story.objects.select_for_update().get(pk=s.pk) for s in (keep, absorb))
    if keep.pk == absorb.pk:
        raise InvalidCorrection("A story cannot be merged into itself.")
    if keep.merged_into_id or absorb.merged_into_id:
        raise InvalidCorrection("That story was already merged into another one.")
    now = timezone.now()
    kept_articles, absorbed_articles = _article_ids(keep), _article_ids(absorb)
    context = {**_reasons(kept_articles), **_reasons(absorbed_articles)}
    StoryArticle.objects.filter(story=absorb).update(story=keep)
    if keep.closed and not absorb.closed:
        # Reopened: the clusterer learns of it on restore, under a new id.
        keep.closed, keep.closed_at, keep.cluster_id = False, None, None
        keep.save(update_fields=["closed", "closed_at", "cluster_id"])
    absorb.closed, absorb.merged_into = True, keep
    absorb.closed_at = absorb.closed_at or now
    absorb.save(update_fields=["closed", "closed_at", "merged_into"])
    correction = StoryCorrection.objects.create(
        kind=CorrectionKind.MERGE,
        story=keep,
        other_story=absorb,
        editor=editor,
        made_at=now,
        automatic=automatic,
        moved_articles=absorbed_articles,
        context=context,
    )
    if not automatic:
        _label_pairs(correction, itertools.product(kept_articles, absorbed_articles), same=True)
    recompute_coverage([keep.pk, absorb.pk])
    # Robustly: the merge stands whatever a listener does.
    transaction.on_commit(
        lambda: send_to_every_receiver(stories_merged, Story, keep=keep, absorbed=absorb)
    )
    return correction


@transaction.atomic
def undo_automatic_merge(merge: StoryCorrection, editor: Any = None) -> Story:
    """An editor undoes an automatic merge: the absorbed story's articles still in the kept one
    go back to it, reopened if the kept story is open, and returns it.

    The editor has now said the two are different stories: each moved article is labelled
    "different story" against each one left, so neither assignment nor a later pass joins them
    again, and those pairs are training data like any editor's correction.
    """
    lock_cursor()
    merge = StoryCorrection.objects.select_for_update().get(pk=merge.pk)
    if merge.kind != CorrectionKind.MERGE or not merge.automatic:
        raise InvalidCorrection("Only an automatic merge can be undone here.")
    if merge.undone_at is not None:
        raise InvalidCorrection("That merge was already undone.")
    keep, absorb = (
        Story.objects.select_for_update().get(pk=pk)
        for pk in (merge.story_id, merge.other_story_id)
    )
    if absorb.merged_into_id != keep.pk:
        raise InvalidCorrection("That merge no longer stands as it was made.")
    in_keep = set(_article_ids(keep))
    moved = sorted(in_keep & {int(a) for a in merge.moved_articles})
    left = sorted(in_keep - set(moved))
    if not moved or not left:
        raise InvalidCorrection("The merged articles have moved since; nothing to undo.")
    now = timezone.now()
    StoryArticle.objects.filter(story=keep, article_id__in=moved).update(story=absorb, score=0.0)
    absorb.merged_into, absorb.cluster_id = None, None
    absorb.closed, absorb.closed_at = keep.closed, (now if keep.closed else None)
    absorb.save(update_fields=["merged_into", "cluster_id", "closed", "closed_at"])
    undo = StoryCorrection.objects.create(
        kind=CorrectionKind.UNMERGE,
        story=keep,
        other_story=absorb,
        editor=editor,
        made_at=now,
        moved_articles=moved,
    )
    merge.undone_at = now
    merge.save(update_fields=["undone_at"])
    _label_pairs(undo, itertools.product(moved, left), same=False)
    recompute_coverage([keep.pk, absorb.pk])
    absorb.refresh_from_db()
    return absorb


@transaction.atomic
def move_article_out(article: Article, editor: Any = None) -> Story:
    """Takes ``article`` out of its story into a new story of its own, and returns that story.

    The article is labelled "different story" against each article it leaves. The new story is
    open if the old one was.
    """
    lock_cursor()
    membership = (
        StoryArticle.objects.select_for_update()
        .select_related("story")
        .filter(article_id=article.pk)
        .first()
    )
    if membership is None:
        raise ArticleNotInStory(f"Article {article.pk} is in no story yet.")
    old = membership.story
    others = [a for a in _article_ids(old) if a != article.pk]
    if not others:
        raise InvalidCorrection("The article is already its story's only one.")
    now = timezone.now()
    when = seen_at(article.published_at, article.fetched_at)
    new = Story.objects.create(
        headline=article.title,
        first_seen_at=when,
        last_seen_at=when,
        closed=old.closed,
        closed_at=now if old.closed else None,
    )
    # The clusterer's reason goes with the correction (and its pairs); the article is where it
    # is now because an editor said so.
    context = {**_reasons(others), **_reasons([article.pk])}
    membership.story = new
    membership.score = 0.0
    membership.reason = AssignmentReason(ReasonKind.EDITOR).as_json()
    membership.save(update_fields=["story", "score", "reason"])
    correction = StoryCorrection.objects.create(
        kind=CorrectionKind.MOVE_OUT,
        story=old,
        other_story=new,
        article=article,
        editor=editor,
        made_at=now,
        context=context,
    )
    _label_pairs(correction, ((article.pk, other) for other in others), same=False)
    recompute_coverage([old.pk, new.pk])
    new.refresh_from_db()
    return new


def automatic_merges(story: Story) -> list[StoryCorrection]:
    """The periodic pass's merges into ``story``, oldest first, each with its absorbed story."""
    return list(
        StoryCorrection.objects.filter(story=story, kind=CorrectionKind.MERGE, automatic=True)
        .select_related("other_story")
        .order_by("made_at", "id")
    )


# --- Training data out -------------------------------------------------------------------------


def _article_record(article: Article) -> dict[str, Any]:
    record = article_in(article)
    return {
        "id": record.id,
        "title": record.title,
        "text": record.text,
        "lang": record.language,
        "published": record.published.isoformat() if record.published else None,
        "source": article.outlet.name,
    }


def labelled_pairs() -> Iterator[dict[str, Any]]:
    """Every labelled pair, oldest correction first, as plain dicts ready for JSON.

    ``{"a": article, "b": article, "same_story": bool, "correction": "merge" | "move-out" |
    "unmerge", "made_at": ISO time, "why_a": reason, "why_b": reason}``, each article with the
    fields of the labelled JSON-lines files (id, title, text, lang, published, source), each
    reason why the clusterer had placed that article when the editor corrected it
    (``AssignmentReason.as_json``: kind, score, matched_article, shared, language), or null when
    it kept none. Automatic merges label no pair, and none of theirs is ever exported: only
    people's corrections are training data.
    """
    pairs = (
        LabelledPair.objects.exclude(correction__automatic=True)
        .select_related("article_a__outlet", "article_b__outlet", "correction")
        .order_by("correction_id", "article_a_id", "article_b_id")
    )
    for pair in pairs.iterator(chunk_size=500):
        yield {
            "a": _article_record(pair.article_a),
            "b": _article_record(pair.article_b),
            "same_story": pair.same_story,
            "correction": pair.correction.kind,
            "made_at": pair.correction.made_at.isoformat(),
            "why_a": pair.correction.context.get(str(pair.article_a_id)),
            "why_b": pair.correction.context.get(str(pair.article_b_id)),
        }
