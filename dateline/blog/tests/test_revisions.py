"""The desk's save (`save_post`) and revisions: every save keeps one, a stale form writes
nothing, a restore is a new revision, and a post's update log survives every edit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.blog import services, signals
from dateline.blog.domain.drafts import CommentaryDraft, ProseDraft
from dateline.blog.domain.revisions import RevisionContent, RevisionPart, diff
from dateline.blog.exceptions import InvalidPost, PostGone, StaleEdit
from dateline.blog.models import PartKind, Post, PostStatus, Revision
from dateline.blog.tests.factories import citation, seed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("ed", password="a desk password")


def body(post: Post) -> list[tuple[str, str]]:
    return [
        (part.kind, part.body or part.quoted_excerpt) for part in post.parts.order_by("position")
    ]


def test_a_new_post_saved_as_a_draft_keeps_revision_one_with_its_author_and_parts(editor):
    post = services.save_post(
        None,
        editor=editor,
        headline="Quake hits the coast",
        parts=[citation(1), CommentaryDraft(text="<p>Big.</p>", speaker="WNU Editor")],
        labels=["Quakes"],
    )
    assert post.status == PostStatus.DRAFT and post.published_at is None
    revision = post.revisions.get()
    assert (revision.number, revision.author, revision.headline) == (1, editor, post.headline)
    content = services.revision_content(revision)
    assert [part.kind for part in content.parts] == ["citation", "commentary"]
    assert content.parts[0].url == "https://news.example.org/world/1"
    assert content.labels == ("Quakes",)


def test_a_draft_follows_its_headline_until_published(editor):
    post = services.save_post(None, editor=editor, headline="First words", parts=[])
    post = services.save_post(post, editor=editor, headline="Better words", parts=[])
    assert post.slug == "better-words"
    published = services.save_post(
        post, editor=editor, headline="Better words", parts=[], status=PostStatus.PUBLISHED
    )
    moved = services.save_post(
        published, editor=editor, headline="Final words", parts=[], status=PostStatus.PUBLISHED
    )
    assert moved.slug == "better-words"  # it was public: its address stays


def test_editing_a_published_post_keeps_its_update_log_and_moves_its_updated_time(
    editor, django_capture_on_commit_callbacks
):
    post = seed_post(1)
    services.append_update(
        post, text="<p>Twelve now.</p>", citation=citation(9, outlet_name="RUDAW")
    )
    updated_before = Post.objects.get(pk=post.pk).updated_at
    seen = []

    def heard(sender, post, **kwargs):
        seen.append(post.pk)

    signals.post_updated.connect(heard)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            saved = services.save_post(
                post,
                editor=editor,
                headline="Joint operation planned, officials say",
                parts=[citation(1), ProseDraft(html="<p>More context.</p>")],
                labels=["Syria"],
                status=PostStatus.PUBLISHED,
            )
    finally:
        signals.post_updated.disconnect(heard)
    kinds = [kind for kind, _ in body(saved)]
    assert kinds == [PartKind.CITATION, PartKind.PROSE, PartKind.UPDATE]
    update = saved.parts.get(kind=PartKind.UPDATE)
    assert update.outlet_name == "RUDAW" and "Twelve now." in update.body
    assert saved.published_at == post.published_at
    assert saved.updated_at > updated_before
    assert seen == [post.pk]


def test_a_save_that_changes_nothing_writes_nothing(editor):
    post = services.save_post(None, editor=editor, headline="Calm", parts=[citation(1)])
    generation = services.site_generation()[0]
    again = services.save_post(
        post, editor=editor, headline="Calm", parts=[citation(1)], base_revision=1
    )
    assert again.revisions.count() == 1
    assert services.site_generation()[0] == generation


def test_a_form_loaded_before_another_save_is_refused_and_writes_nothing(editor):
    post = services.save_post(None, editor=editor, headline="One", parts=[citation(1)])
    services.save_post(post, editor=editor, headline="Two", parts=[citation(1)], base_revision=1)
    with pytest.raises(StaleEdit) as refused:
        services.save_post(
            post, editor=editor, headline="Three", parts=[], labels=["X"], base_revision=1
        )
    assert refused.value.current == 2
    post.refresh_from_db()
    assert post.headline == "Two" and post.parts.count() == 1 and not post.labels.exists()
    assert post.revisions.count() == 2


def test_a_bad_part_leaves_the_post_and_its_revisions_as_they_were(editor):
    post = services.save_post(None, editor=editor, headline="One", parts=[citation(1)])
    with pytest.raises(InvalidPost):
        services.save_post(post, editor=editor, headline="x" * 501, parts=[])
    with pytest.raises(Exception, match="http"):
        services.save_post(
            post, editor=editor, headline="Two", parts=[citation(2, url="javascript:x")]
        )
    post.refresh_from_db()
    assert post.headline == "One" and post.parts.count() == 1 and post.revisions.count() == 1


def test_saving_a_post_deleted_meanwhile_says_so(editor):
    post = services.save_post(None, editor=editor, headline="Gone soon", parts=[])
    Post.objects.filter(pk=post.pk).delete()
    with pytest.raises(PostGone):
        services.save_post(post, editor=editor, headline="Still here?", parts=[])


def test_scheduling_needs_a_time_to_come_and_publishes_nothing_now(editor):
    post = services.save_post(None, editor=editor, headline="Later", parts=[])
    with pytest.raises(InvalidPost):
        services.save_post(
            post,
            editor=editor,
            headline="Later",
            parts=[],
            status=PostStatus.SCHEDULED,
            publish_at=timezone.now() - timedelta(minutes=1),
        )
    at = timezone.now() + timedelta(days=1)
    scheduled = services.save_post(
        post, editor=editor, headline="Later", parts=[], status=PostStatus.SCHEDULED, publish_at=at
    )
    assert (scheduled.status, scheduled.published_at) == (PostStatus.SCHEDULED, at)
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_a_restore_is_a_new_revision_that_keeps_the_status_and_later_updates(editor):
    post = services.save_post(
        None, editor=editor, headline="Original", parts=[citation(1)], labels=["A"],
        status=PostStatus.PUBLISHED,
    )  # fmt: skip
    services.save_post(
        post, editor=editor, headline="Rewritten", parts=[citation(2)], labels=["B"],
        status=PostStatus.PUBLISHED,
    )  # fmt: skip
    services.append_update(post, text="<p>Later news.</p>")
    restored = services.restore_revision(post, 1, editor=editor, base_revision=2)
    assert restored.headline == "Original"
    assert restored.status == PostStatus.PUBLISHED
    assert list(restored.labels.values_list("name", flat=True)) == ["A"]
    assert [kind for kind, _ in body(restored)] == [PartKind.CITATION, PartKind.UPDATE]
    assert restored.parts.get(kind=PartKind.CITATION).url.endswith("/1")
    newest = restored.revisions.order_by("-number").first()
    assert (newest.number, newest.note) == (3, "restored revision 1")


def test_the_diff_of_two_revisions_shows_what_was_removed_and_added():
    older = RevisionContent(
        headline="Quake",
        parts=(
            RevisionPart(kind="citation", outlet_name="Gazette", source_headline="Quake",
                         url="https://g.example/q", quoted_excerpt="<p>One.</p><p>Two.</p>"),
        ),
    )  # fmt: skip
    newer = RevisionContent(
        headline="Quake kills five",
        labels=("Quakes",),
        parts=(
            RevisionPart(kind="citation", outlet_name="Gazette", source_headline="Quake",
                         url="https://g.example/q", quoted_excerpt="<p>One.</p><p>Three.</p>"),
            RevisionPart(kind="commentary", speaker="WNU Editor", body="<p>Sad.</p>"),
        ),
    )  # fmt: skip
    changes = [(line.change, line.text) for line in diff(older, newer)]
    assert ("removed", "Headline: Quake") in changes
    assert ("added", "Headline: Quake kills five") in changes
    assert ("same", "> One.") in changes
    assert ("removed", "> Two.") in changes and ("added", "> Three.") in changes
    assert ("added", "WNU Editor: Sad.") in changes
    assert ("added", "Labels: Quakes") in changes


def test_an_import_writes_initial_revisions_in_bulk_with_no_author():
    posts = [seed_post(n) for n in range(1, 31)]
    with CaptureQueriesContext(connection) as queries:
        written = services.record_initial_revisions(posts)
    assert written == 30
    assert len(queries) <= 5  # whatever the number of posts
    first = Revision.objects.get(post=posts[0])
    assert first.author is None and first.note == "imported" and first.number == 1
    assert services.record_initial_revisions(posts) == 0


@pytest.mark.parametrize(
    ("who", "sees"),
    [("editor", True), ("superuser", True), ("staff-only", False), ("reader", False)],
)
def test_a_draft_shows_at_its_address_to_editors_and_superusers_only(client, who, sees):
    user = get_user_model().objects.create_user("someone", password="a long password")
    if who == "editor":
        # The group the blog's migration 0010 granted the permission to.
        user.groups.add(Group.objects.get(name="editor"))
    elif who == "superuser":
        get_user_model().objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    elif who == "staff-only":
        get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    draft = services.save_post(None, editor=None, headline="Not yet out", parts=[citation(1)])
    answer = client.get(draft.get_absolute_url())
    assert answer.status_code == (200 if sees else 404)
    if sees:
        assert "Not yet out" in answer.content.decode()
