"""Pausing and resuming a feed (`wire.services.set_active`), as the desk's feeds screen does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.wire import services
from dateline.wire.models import Feed

pytestmark = pytest.mark.django_db


def test_a_paused_feed_is_never_due_and_a_resumed_one_is_due_at_once():
    feed = services.add_feed(url="https://a.example/rss", outlet_name="A")
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now() + timedelta(hours=6))
    feed.refresh_from_db()

    services.set_active(feed, False)
    later = timezone.now() + timedelta(days=30)
    assert not Feed.objects.due(later).exists()

    Feed.objects.filter(pk=feed.pk).update(stopped_reason="HTTP 410 Gone: removed")
    feed.refresh_from_db()
    services.set_active(feed, True)
    stored = Feed.objects.get()
    assert stored.active and stored.stopped_reason == ""
    assert Feed.objects.due(timezone.now()).get() == stored


def test_resuming_a_feed_that_polls_changes_nothing():
    feed = services.add_feed(url="https://a.example/rss", outlet_name="A")
    planned = timezone.now() + timedelta(hours=6)
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=planned)
    feed.refresh_from_db()
    services.set_active(feed, True)
    assert Feed.objects.get().next_poll_at == planned
