"""The clustering cursor's row and the correction log's head: what the worker and corrections
both lock and compare, so that no correction lands inside a batch's write (decision 0026)."""

from __future__ import annotations

from dateline.stories.models import ClusteringCursor, StoryCorrection

CURSOR = 1


def latest_correction_id() -> int:
    last = StoryCorrection.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def lock_cursor() -> ClusteringCursor:
    """The cursor row, locked: corrections take it too, so none lands inside a batch's write."""
    ClusteringCursor.objects.get_or_create(pk=CURSOR)
    return ClusteringCursor.objects.select_for_update().get(pk=CURSOR)
