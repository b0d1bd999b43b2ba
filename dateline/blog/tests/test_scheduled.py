"""The worker publishes scheduled posts on time, once, whoever else is running."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dateline.blog import services, signals
from dateline.blog.models import Post, PostStatus
from dateline.blog.tests.factories import seed_post
from dateline.core import jobs


def test_the_job_is_registered_for_the_worker():
    names = {job.name: job for job in jobs.registered()}
    assert names["blog.publish"].run is services.publish_scheduled


@pytest.mark.django_db
def test_the_worker_publishes_a_post_whose_time_has_come_and_not_one_still_ahead(client):
    due = seed_post(1, status=PostStatus.SCHEDULED, at=timezone.now() + timedelta(hours=1))
    later = seed_post(2, status=PostStatus.SCHEDULED, at=timezone.now() + timedelta(days=1))
    assert client.get(due.get_absolute_url()).status_code == 404
    Post.objects.filter(pk=due.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    call_command("worker", once=True)

    assert Post.objects.get(pk=due.pk).status == PostStatus.PUBLISHED
    assert Post.objects.get(pk=later.pk).status == PostStatus.SCHEDULED
    assert client.get(due.get_absolute_url()).status_code == 200
    assert due.headline in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_publish_each_post_exactly_once():
    posts = [
        seed_post(n, status=PostStatus.SCHEDULED, at=timezone.now() + timedelta(hours=1))
        for n in range(30)
    ]
    Post.objects.update(published_at=timezone.now() - timedelta(minutes=1))
    announced: list[int] = []
    lock = threading.Lock()

    def on_published(sender, post, **kwargs):
        with lock:
            announced.append(post.pk)

    signals.post_published.connect(on_published)
    counts: list[int] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            total = 0
            while handled := services.publish_scheduled(timezone.now()):
                total += handled
            counts.append(total)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        signals.post_published.disconnect(on_published)
    assert sum(counts) == len(posts)
    assert sorted(announced) == sorted(post.pk for post in posts)
    assert set(Post.objects.values_list("status", flat=True)) == {PostStatus.PUBLISHED}
