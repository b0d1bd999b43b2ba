"""What a post page loads by plain SQL: the post by its slug, its parts and labels, and its
previous and next links (the nearest public posts on each side, in list pages' order, ties
broken by id)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.blog import services
from dateline.blog.models import (
    Post,
    PostStatus,
    labels_of,
    parts_of,
    post_by_slug,
    published_neighbours,
)
from dateline.blog.tests.factories import BASE_TIME, citation, prose_post, seed_post

pytestmark = pytest.mark.django_db


def headlines(pair: tuple[Post | None, Post | None]) -> tuple[str | None, str | None]:
    return tuple(post.headline if post else None for post in pair)  # type: ignore[return-value]


def test_neighbours_follow_publication_time_and_break_ties_by_id():
    early = prose_post(1, at=BASE_TIME)
    tied_first = prose_post(2, at=BASE_TIME + timedelta(hours=1))
    tied_second = prose_post(3, at=BASE_TIME + timedelta(hours=1))
    tied_third = prose_post(4, at=BASE_TIME + timedelta(hours=1))
    late = prose_post(5, at=BASE_TIME + timedelta(hours=2))

    assert published_neighbours(early) == (None, tied_first)
    assert published_neighbours(tied_first) == (early, tied_second)
    assert published_neighbours(tied_second) == (tied_first, tied_third)
    assert published_neighbours(tied_third) == (tied_second, late)
    assert published_neighbours(late) == (tied_third, None)
    # Only what a link needs is loaded, and it makes the same URL as the full post.
    previous, _ = published_neighbours(late)
    assert previous is not None
    assert previous.get_absolute_url() == tied_third.get_absolute_url()
    assert headlines(published_neighbours(tied_second)) == (
        tied_first.headline,
        tied_third.headline,
    )


def test_neighbours_skip_what_the_public_may_not_see():
    first = prose_post(1, at=BASE_TIME)
    prose_post(2, at=BASE_TIME + timedelta(hours=1), status=PostStatus.DRAFT)
    prose_post(3, at=BASE_TIME + timedelta(hours=2), status=PostStatus.PRIVATE)
    middle = prose_post(4, at=BASE_TIME + timedelta(hours=3))
    prose_post(5, at=timezone.now() + timedelta(days=1))  # published, but its time has not come
    assert published_neighbours(first) == (None, middle)
    assert published_neighbours(middle) == (first, None)


def test_a_scheduled_post_seen_by_staff_links_back_to_the_newest_public_post():
    older = prose_post(1, at=BASE_TIME)
    newest = prose_post(2, at=BASE_TIME + timedelta(hours=1))
    coming = prose_post(3, at=timezone.now() + timedelta(days=1), status=PostStatus.SCHEDULED)
    assert published_neighbours(coming) == (newest, None)
    assert published_neighbours(older) == (None, newest)


def test_parts_come_in_their_order_with_every_column_and_labels_by_name():
    post = seed_post(1, parts=[citation(k) for k in range(3)], labels=("Syria", "Aleppo", "Iraq"))
    services.append_update(post, text="<p>Later.</p>", citation=citation(9))
    seed_post(2, labels=("Yemen",))  # another post's parts and labels stay out
    parts = parts_of(post)
    assert [part.position for part in parts] == sorted(part.position for part in parts)
    assert [part.kind for part in parts] == ["citation"] * 3 + ["update"]
    assert parts == list(post.parts.order_by("position"))
    assert parts[-1].url == citation(9).url and parts[-1].at is not None
    assert [label.name for label in labels_of(post)] == ["Aleppo", "Iraq", "Syria"]


def test_a_post_is_found_by_slug_only_when_the_public_may_see_it_unless_staff_asks():
    public = prose_post(1)
    draft = prose_post(2, status=PostStatus.DRAFT)
    coming = prose_post(3, at=timezone.now() + timedelta(days=1))
    found = post_by_slug(public.slug)
    assert found == public and found.headline == public.headline
    assert found.published_at == public.published_at  # times read back as the ORM reads them
    assert post_by_slug(draft.slug) is None and post_by_slug(coming.slug) is None
    assert post_by_slug(draft.slug, public_only=False) == draft
    assert post_by_slug(coming.slug, public_only=False) == coming
    assert post_by_slug("no-such-post") is None
