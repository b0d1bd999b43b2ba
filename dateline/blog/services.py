"""The blog's public commands. Other apps (desk, comments, porting, demo) write posts only here.

Every command runs in one transaction: a bad part or label leaves nothing half-written. Every
change to what the public sees bumps the generations of the pages that show it (the post's
page, its neighbours', the listings: see `generations` and `post_changed`), which is what
invalidates those cached pages in every process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import Resolver404, resolve
from django.utils import timezone

from dateline.blog import generations, signals
from dateline.blog.adapters import images
from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    PartDraft,
    PostDraft,
    ProseDraft,
    RawHtmlDraft,
    UpdateDraft,
)
from dateline.blog.domain.old_addresses import address_key
from dateline.blog.domain.revisions import RevisionContent, RevisionPart
from dateline.blog.domain.slugs import slugify, unique_slug
from dateline.blog.domain.text import xml_safe
from dateline.blog.exceptions import (
    InvalidImage,
    InvalidPart,
    InvalidPost,
    PostGone,
    SlugTaken,
    StaleEdit,
)
from dateline.blog.models import (
    Image,
    Label,
    OldAddress,
    PartKind,
    Post,
    PostKind,
    PostPart,
    PostStatus,
    Revision,
    SlugRedirect,
    published_neighbours,
)
from dateline.blog.sanitising import clean_post_html
from dateline.blog.search import index_post, index_posts
from dateline.stories.models import Story
from dateline.wire.models import Article

MAX_HEADLINE = 500
MAX_LABEL = 100
MAX_IMAGE_BYTES = 20 * 1024 * 1024
# A post's URL carries its year in four digits (/YYYY/MM/slug/), and every page shows times in the
# site's zone: a post dated in year 999, or on 9999-12-31 seen from east of UTC, could be neither
# linked nor shown, and took the home page, feeds and sitemap down with it. A day's margin at each
# end covers any zone.
EARLIEST_TIME = datetime(1000, 1, 2, tzinfo=UTC)
LATEST_TIME = datetime(9999, 12, 30, tzinfo=UTC)
SLUG_ROUNDS = 20
# Cards and social previews (OpenGraph asks for 1200 wide) share one copy.
CARD_WIDTH = 1200


def create_post(
    *,
    headline: str,
    author: AbstractBaseUser | None = None,
    byline: str = "",
    parts: Sequence[PartDraft] = (),
    labels: Iterable[str] = (),
    dateline_place: str = "",
    status: str = PostStatus.DRAFT,
    sticky: bool = False,
    story: Story | None = None,
    published_at: datetime | None = None,
    slug: str = "",
    kind: str = PostKind.POST,
    quiet: bool = False,
) -> Post:
    """Writes a post with its parts and labels, all or nothing.

    A PUBLISHED post without `published_at` is published now, one with a time still to come is
    SCHEDULED for it; a SCHEDULED one needs a time. `quiet` (every write service takes it): see
    `_content_changed`.
    """
    headline, status, published_at = _post_fields(headline, status, published_at, kind)
    with transaction.atomic():
        post = _create_with_free_slug(
            slug or headline,
            explicit=bool(slug),
            headline=headline,
            author=author,
            byline=xml_safe(byline).strip()[:200],
            dateline_place=xml_safe(dateline_place).strip()[:200],
            status=status,
            sticky=sticky,
            published_at=published_at,
            story=story,
            kind=PostKind(kind),
        )
        _write_parts(post, parts, start=0)
        post.labels.set(_labels(labels))
        index_post(post)
        if _visible(post) and not quiet:
            _bump_generation(post)
            transaction.on_commit(lambda: signals.post_published.send(Post, post=post))
    return post


def _post_fields(
    headline: str, status: str, published_at: datetime | None, kind: str
) -> tuple[str, str, datetime | None]:
    headline = _clean_headline(headline)
    status = _check_status(status)
    if kind not in PostKind.values:
        raise InvalidPost(f"unknown kind {kind!r}; one of {', '.join(PostKind.values)}")
    published_at = _check_time(published_at, "published_at")
    if status == PostStatus.PUBLISHED and published_at is None:
        published_at = timezone.now()
    if status == PostStatus.PUBLISHED and published_at > timezone.now():
        # As publish() does: nothing public changes when a stored time passes, so cached pages
        # would never learn of it; the worker's job publishes it, and they follow.
        status = PostStatus.SCHEDULED
    if status == PostStatus.SCHEDULED and published_at is None:
        raise InvalidPost("a scheduled post needs published_at, the time to publish it")
    return headline, status, published_at


def create_posts(drafts: Sequence[PostDraft], *, quiet: bool = False) -> list[Post]:
    """Writes many posts at once, all or nothing, by the rules of `create_post` (an import
    writes thousands): a fixed number of statements for the whole batch, whatever its size,
    but a slug of another post's (or of the batch's), which costs a look-up of its own.
    A slug asked for and taken is not refused: the headline's is used, with a suffix if need
    be. Not `quiet`: one generation bump for the batch, and a signal per visible post."""
    if not drafts:
        return []
    with transaction.atomic():
        rows = []
        for draft in drafts:
            headline, status, published_at = _post_fields(
                draft.headline, draft.status, draft.published_at, draft.kind
            )
            rows.append(
                Post(
                    headline=headline,
                    author_id=draft.author_id,
                    byline=xml_safe(draft.byline).strip()[:200],
                    dateline_place=xml_safe(draft.dateline_place).strip()[:200],
                    status=status,
                    sticky=draft.sticky,
                    published_at=published_at,
                    updated_at=_check_time(draft.updated_at, "updated_at"),
                    kind=PostKind(draft.kind),
                )
            )
        _free_slugs(rows, [draft.slug for draft in drafts])
        posts = Post.objects.bulk_create(rows)
        parts = [
            _part_row(post, part, position)
            for post, draft in zip(posts, drafts, strict=True)
            for position, part in enumerate(draft.parts)
        ]
        PostPart.objects.bulk_create(parts, batch_size=500)
        _link_labels(posts, [draft.labels for draft in drafts])
        index_posts(posts)
        visible = [post for post in posts if _visible(post)]
        if visible and not quiet:
            _bump_generation(*visible)
            for post in visible:
                transaction.on_commit(lambda p=post: signals.post_published.send(Post, post=p))
    return posts


def _free_slugs(rows: list[Post], wanted: list[str]) -> None:
    """Gives each new row a slug no post (nor old slug) holds, its wanted one when free."""
    bases = [
        slugify(want) if want.strip() else slugify(row.headline)
        for row, want in zip(rows, wanted, strict=True)
    ]
    taken = set(Post.objects.filter(slug__in=bases).values_list("slug", flat=True))
    taken |= set(SlugRedirect.objects.filter(old_slug__in=bases).values_list("old_slug", flat=True))
    for row, base in zip(rows, bases, strict=True):
        if base in taken:
            taken |= set(Post.objects.filter(slug__startswith=base).values_list("slug", flat=True))
            taken |= set(
                SlugRedirect.objects.filter(old_slug__startswith=base).values_list(
                    "old_slug", flat=True
                )
            )
        row.slug = unique_slug(base, taken)
        taken.add(row.slug)


def _link_labels(posts: list[Post], names: list[tuple[str, ...]]) -> None:
    wanted: dict[str, None] = {}
    per_post: list[list[str]] = []
    for labels in names:
        cleaned = []
        for raw in labels:
            name = _one_line(str(raw))
            if not name:
                continue
            if len(name) > MAX_LABEL:
                raise InvalidPost(
                    f"the label {name[:40]!r}... is longer than {MAX_LABEL} characters"
                )
            if name not in cleaned:
                cleaned.append(name)
            wanted.setdefault(name, None)
        per_post.append(cleaned)
    found = {label.name: label for label in Label.objects.filter(name__in=list(wanted))}
    for name in wanted:
        if name not in found:
            found[name] = _create_label(name)
    through = Post.labels.through
    through.objects.bulk_create(
        [
            through(post_id=post.pk, label_id=found[name].pk)
            for post, cleaned in zip(posts, per_post, strict=True)
            for name in cleaned
        ],
        batch_size=500,
    )


def add_part(post: Post, part: PartDraft, *, quiet: bool = False) -> PostPart:
    """Appends a part to the end of the post's body."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        written = _write_parts(locked, [part], start=_next_position(locked))[0]
        _content_changed(locked, quiet=quiet)
    return written


def add_citation(post: Post, citation: CitationDraft, *, quiet: bool = False) -> PostPart:
    return add_part(post, citation, quiet=quiet)


def append_update(
    post: Post,
    *,
    text: str,
    citation: CitationDraft | None = None,
    at: datetime | None = None,
    quiet: bool = False,
) -> PostPart:
    """Adds an entry to the post's public update log; feeds show the post as updated at `at`."""
    at = _check_time(at, "at") or timezone.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        part = _write_parts(
            locked, [UpdateDraft(text=text, at=at, citation=citation)], start=_next_position(locked)
        )[0]
        _content_changed(locked, at=at, quiet=quiet)
    post.updated_at = locked.updated_at
    return part


def replace_parts(post: Post, parts: Sequence[PartDraft], *, quiet: bool = False) -> None:
    """Rewrites the whole body (the desk's editor saves this way)."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        locked.parts.all().delete()
        _write_parts(locked, parts, start=0)
        _content_changed(locked, quiet=quiet)


def edit_post(
    post: Post,
    *,
    headline: str | None = None,
    dateline_place: str | None = None,
    sticky: bool | None = None,
    story: Story | None = None,
    labels: Iterable[str] | None = None,
    quiet: bool = False,
) -> Post:
    """Changes a post's fields; arguments left as None stay as they are."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if headline is not None:
            locked.headline = _clean_headline(headline)
        if dateline_place is not None:
            locked.dateline_place = xml_safe(dateline_place).strip()[:200]
        if sticky is not None:
            locked.sticky = sticky
        if story is not None:
            locked.story = story
        locked.save()
        if labels is not None:
            locked.labels.set(_labels(labels))
        _content_changed(locked, quiet=quiet)
    return locked


def follow_story_merge(keep: Story, absorbed: Story) -> int:
    """Moves the posts of a story merged into another to the kept story; returns how many.

    Quiet (see `_content_changed`): readers see nothing new, so no feed says the posts were
    updated and no cached page is dropped. Posts follow merges so that update suggestions and
    the desk's "covered" mark see them on the story that now holds the articles.
    """
    moved = 0
    for post in Post.objects.filter(story_id=absorbed.pk).only("pk"):
        edit_post(post, story=keep, quiet=True)
        moved += 1
    return moved


def upload_image(upload: File, *, alt_text: str = "") -> Image:
    """Stores an uploaded picture through Django's storage API (local media by default) with a
    copy sized for cards; a file that is not a web picture raises InvalidImage, storing nothing.
    """
    data = upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(f"the picture is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    picture = images.read(data)
    card = images.card_copy(data, max_width=CARD_WIDTH)
    stem = slugify(str(upload.name or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0])[:60]
    image = Image(alt_text=_one_line(alt_text)[:500])
    # Files first, the row last: a failed write leaves at most an unreferenced file, never a
    # row pointing at nothing.
    image.original.save(f"{stem}.{picture.extension}", ContentFile(data), save=False)
    image.card.save(f"{stem}-card.{card.extension}", ContentFile(card.data), save=False)
    # Known already: set here rather than have Django reopen the stored files to measure them.
    image.width, image.height = picture.width, picture.height
    image.card_width, image.card_height = card.width, card.height
    image.save()
    return image


def set_featured_image(post: Post, image: Image | None, *, quiet: bool = False) -> None:
    """Shows `image` at the top of the post and in its link previews (None removes it)."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        locked.featured_image = image
        locked.save(update_fields=["featured_image"])
        _content_changed(locked, quiet=quiet)
    post.featured_image = image


def set_labels(post: Post, labels: Iterable[str], *, quiet: bool = False) -> None:
    edit_post(post, labels=labels, quiet=quiet)


def change_slug(post: Post, new_slug: str, *, quiet: bool = False) -> Post:
    """Gives the post a new slug; its old URL keeps answering with a 301 to the new one."""
    wanted = slugify(new_slug)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if wanted == locked.slug:
            return locked
        if Post.objects.filter(slug=wanted).exists():
            raise SlugTaken(wanted)
        # The new slug may be one this post (or another) used before: it is live again now.
        SlugRedirect.objects.filter(old_slug=wanted).delete()
        SlugRedirect.objects.create(old_slug=locked.slug, post=locked)
        # The old address now redirects: its cached page must go too.
        if not quiet:
            _bump_generation(locked)
        locked.slug = wanted
        locked.save(update_fields=["slug"])
        _content_changed(locked, quiet=quiet)
    return locked


def publish(post: Post, at: datetime | None = None, *, quiet: bool = False) -> Post:
    """Publishes now, or schedules for `at` when it lies in the future (the worker publishes)."""
    at = _check_time(at, "at")
    now = timezone.now()
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status == PostStatus.PUBLISHED and not quiet:
            _bump_generation(locked)  # its old neighbours, should its time move
        if at is not None and at > now:
            locked.status = PostStatus.SCHEDULED
            locked.published_at = at
        else:
            locked.status = PostStatus.PUBLISHED
            locked.published_at = at or locked.published_at or now
            if locked.published_at > now:
                locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        if not quiet:
            _bump_generation(locked)
            if locked.status == PostStatus.PUBLISHED:
                transaction.on_commit(lambda: signals.post_published.send(Post, post=locked))
    return locked


def set_status(post: Post, status: str, *, quiet: bool = False) -> Post:
    """Moves a post to draft, pending review or private (use `publish` to publish)."""
    status = _check_status(status)
    if status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED):
        raise InvalidPost("use publish() to publish or schedule a post", post_id=post.pk)
    with transaction.atomic():
        updated = Post.objects.filter(pk=post.pk).update(status=status)
        if not updated:
            raise InvalidPost("no such post", post_id=post.pk)
        if not quiet:
            _bump_generation(Post.objects.get(pk=post.pk))
    post.status = status
    return post


def publish_scheduled(now: datetime) -> int:
    """The worker's job: publishes scheduled posts whose time has come. Returns how many."""
    with transaction.atomic():
        due = list(Post.objects.due_for_publication(now).select_for_update(skip_locked=True)[:100])
        if not due:
            return 0
        Post.objects.filter(pk__in=[p.pk for p in due]).update(status=PostStatus.PUBLISHED)
        for post in due:
            post.status = PostStatus.PUBLISHED
            transaction.on_commit(lambda p=post: signals.post_published.send(Post, post=p))
        _bump_generation(*due)
    return len(due)


@dataclass(frozen=True, slots=True)
class OldAddressesKept:
    kept: int
    # Addresses refused: one of Dateline's own pages answers there (/about/, /label/x/, a date
    # archive, a feed), or another post already holds it.
    taken: tuple[str, ...] = ()


# Routes whose address an imported one may share: a post's or page's address and Blogger's .html
# names answer 404 when no post of ours is there, and the old address is looked up then.
_ROUTES_AN_OLD_ADDRESS_MAY_SHARE = frozenset({"blog:post", "blog:blogger_post", "blog:page"})


def keep_old_addresses(addresses: Iterable[tuple[Post, str]]) -> OldAddressesKept:
    """Stores the addresses posts had on the blog they were imported from (a path, with a query
    for WordPress's `/?p=12`): each answers 301 to its post's address here, before the page
    cache (`old_address_redirect`). Idempotent: an address already kept for the same post is
    counted as kept again."""
    wanted: dict[str, tuple[Post, str]] = {}
    taken: list[str] = []
    for post, address in addresses:
        parts = urlsplit(address)
        key = address_key(parts.path, parts.query)
        if key is None or _dateline_answers_at(parts.path, key) or key in wanted:
            taken.append(address)
            continue
        wanted[key] = (post, address)
    with transaction.atomic():
        stored = dict(OldAddress.objects.filter(key__in=list(wanted)).values_list("key", "post_id"))
        new, kept = [], 0
        for key, (post, address) in wanted.items():
            if key not in stored:
                new.append(OldAddress(key=key, post=post))
            elif stored[key] != post.pk:
                taken.append(address)
                continue
            kept += 1
        OldAddress.objects.bulk_create(new, batch_size=500)
    return OldAddressesKept(kept=kept, taken=tuple(taken))


def _dateline_answers_at(path: str, key: str) -> bool:
    if key.startswith("/?"):
        return False
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name not in _ROUTES_AN_OLD_ADDRESS_MAY_SHARE


def old_address_redirect(path: str, query: str = "") -> str | None:
    """Where an imported post's old address now lives (its address here), or None. One indexed
    read; callers ask only for `may_be_old_address` shapes or for addresses that found nothing."""
    key = address_key(path, query)
    if key is None:
        return None
    row = (
        OldAddress.objects.filter(key=key, post__in=Post.objects.visible())
        .values_list("post__kind", "post__slug", "post__published_at")
        .first()
    )
    if row is None:
        return None
    kind, slug, published_at = row
    return Post(kind=kind, slug=slug, published_at=published_at).get_absolute_url()


def post_changed(post: Post | None = None) -> None:
    """Tells the blog something public about `post` changed outside it (e.g. a comment was
    approved): its page and the listing pages are invalidated in every process on every machine.
    Without a post (an import, a change whose posts are not known), every page is."""
    if post is None:
        generations.bump([generations.SITE, generations.LISTINGS])
    else:
        _bump_generation(post, neighbours=False)


def site_generation() -> tuple[int, datetime]:
    """The listings' generation and when it last changed: it moves with every public change
    to any post (every post shows on some listing)."""
    value, changed_at = generations.database_token(generations.LISTINGS)
    return value, datetime.fromtimestamp(changed_at, tz=UTC)


# --- the desk's save, and revisions ------------------------------------------------------------


def save_post(
    post: Post | None,
    *,
    editor: AbstractBaseUser | None,
    headline: str,
    parts: Sequence[PartDraft],
    labels: Iterable[str] = (),
    dateline_place: str = "",
    story: Story | None = None,
    status: str | None = PostStatus.DRAFT,
    publish_at: datetime | None = None,
    base_revision: int | None = None,
    note: str = "",
) -> Post:
    """The editor's save of a whole post, new (`post` None) or not, all or nothing, keeping a
    revision of what it wrote.

    `parts` is the body the editor edits: every part but the updates. A post's update log is
    not the editor's to rewrite: its updates are kept, after the new parts, whatever `parts`
    holds. `status` is what the post becomes: DRAFT, PUBLISHED (now, or when it was already
    published, at its first time), SCHEDULED for `publish_at`, PRIVATE or PENDING_REVIEW; None
    keeps it as it is. `base_revision` is the revision the editor's form was loaded from: when
    the post has a newer one, StaleEdit is raised and nothing is written. A save that changes
    nothing writes nothing.
    """
    headline = _clean_headline(headline)
    wanted = None if status is None else _check_status(status)
    publish_at = _check_time(publish_at, "publish_at")
    if wanted == PostStatus.SCHEDULED and (publish_at is None or publish_at <= timezone.now()):
        raise InvalidPost("a scheduled post needs a time still to come")
    if post is None:
        with transaction.atomic():
            created = create_post(
                headline=headline,
                author=editor,
                parts=parts,
                labels=labels,
                dateline_place=dateline_place,
                story=story,
                status=wanted or PostStatus.DRAFT,
                published_at=publish_at if wanted == PostStatus.SCHEDULED else None,
            )
            _record_revision(created, editor=editor, note=note)
        return created
    with transaction.atomic():
        locked = Post.objects.select_for_update().filter(pk=post.pk).first()
        if locked is None:
            raise PostGone(post.pk)
        latest = _latest_revision(locked)
        if base_revision is not None and latest is not None and latest.number != base_revision:
            raise StaleEdit(locked.pk, base_revision, latest.number)
        was_public, was_status = locked.is_public, locked.status
        locked.headline = headline
        locked.dateline_place = xml_safe(dateline_place).strip()[:200]
        if story is not None:
            locked.story = story
        _apply_status(locked, wanted, publish_at)
        if locked.published_at is None:
            _follow_headline(locked)
        locked.save()
        locked.labels.set(_labels(labels))
        _replace_editable_parts(locked, parts)
        content = _revision_content(locked)
        unchanged = (
            latest is not None
            and locked.status == was_status
            and content.same_text(RevisionContent.from_data(latest.headline, latest.content))
        )
        if unchanged:
            # Nothing the reader sees changed: no revision, no "updated" time, no signal.
            transaction.set_rollback(True)
        elif locked.status == PostStatus.PUBLISHED and was_status == PostStatus.PUBLISHED:
            _content_changed(locked)
        else:
            index_post(locked)
            if locked.status == PostStatus.PUBLISHED:
                _bump_generation(locked)
                transaction.on_commit(lambda: signals.post_published.send(Post, post=locked))
            elif was_public:
                _bump_generation(locked)  # it left the public site
        if not unchanged:
            _record_revision(locked, editor=editor, note=note, content=content)
    if unchanged:
        post.refresh_from_db()
        return post
    return locked


def _follow_headline(post: Post) -> None:
    """A post never published has an address nobody can have linked to: it follows the
    headline (the preview's address changes with it)."""
    wanted = slugify(post.headline)
    if not wanted or post.slug == wanted or re.fullmatch(rf"{re.escape(wanted)}-\d+", post.slug):
        return
    post.slug = _new_slug(post.headline, explicit=False)


def restore_revision(
    post: Post, number: int, *, editor: AbstractBaseUser | None, base_revision: int | None = None
) -> Post:
    """Writes revision `number`'s headline, place, labels and parts back as a new revision.
    The post's status and its update log stay as they are now: a restore never unpublishes a
    post or loses an update appended since."""
    revision = Revision.objects.filter(post_id=post.pk, number=number).first()
    if revision is None:
        raise InvalidPost(f"no revision {number}", post_id=post.pk)
    content = RevisionContent.from_data(revision.headline, revision.content)
    editable = [part for part in content.parts if part.kind != PartKind.UPDATE]
    return save_post(
        post,
        editor=editor,
        headline=content.headline,
        parts=_drafts(editable),
        labels=content.labels,
        dateline_place=content.dateline_place,
        status=None,
        base_revision=base_revision,
        note=f"restored revision {number}",
    )


def latest_revision_number(post: Post) -> int | None:
    """The number of the post's newest revision (what an editor's form is loaded from)."""
    return Revision.objects.filter(post_id=post.pk).aggregate(last=Max("number"))["last"]


def revision_content(revision: Revision) -> RevisionContent:
    return RevisionContent.from_data(revision.headline, revision.content)


def record_initial_revisions(posts: Sequence[Post], *, note: str = "imported") -> int:
    """One first revision, with no author, for each of `posts` that has none, in bulk (an
    import calls this once per batch). Returns how many were written."""
    ids = [post.pk for post in posts]
    have = set(Revision.objects.filter(post_id__in=ids).values_list("post_id", flat=True))
    wanted = [post for post in posts if post.pk not in have]
    if not wanted:
        return 0
    parts: dict[int, list[PostPart]] = {post.pk: [] for post in wanted}
    for part in PostPart.objects.filter(post_id__in=parts).order_by("post_id", "position"):
        parts[part.post_id].append(part)
    labels: dict[int, list[str]] = {post.pk: [] for post in wanted}
    links = Post.labels.through.objects.filter(post_id__in=labels).select_related("label")
    for link in links:
        labels[link.post_id].append(link.label.name)
    Revision.objects.bulk_create(
        [
            Revision(
                post=post,
                number=1,
                author=None,
                headline=post.headline,
                content=_content_of(post, parts[post.pk], labels[post.pk]).to_data(),
                note=note,
            )
            for post in wanted
        ]
    )
    return len(wanted)


def _apply_status(post: Post, wanted: str | None, publish_at: datetime | None) -> None:
    now = timezone.now()
    if wanted is None or (wanted == post.status and wanted != PostStatus.SCHEDULED):
        return
    if wanted == PostStatus.PUBLISHED:
        if post.status == PostStatus.SCHEDULED or post.published_at is None:
            post.published_at = now
        post.published_at = min(post.published_at, now)
    elif wanted == PostStatus.SCHEDULED:
        post.published_at = publish_at
    post.status = wanted


def _replace_editable_parts(post: Post, parts: Sequence[PartDraft]) -> None:
    updates = list(post.parts.filter(kind=PartKind.UPDATE).order_by("position"))
    post.parts.exclude(kind=PartKind.UPDATE).delete()
    # Out of the way of the new parts' positions first (positions are unique per post).
    offset = max([part.position for part in updates] + [len(parts)]) + 1
    for index, update in enumerate(updates):
        PostPart.objects.filter(pk=update.pk).update(position=offset + index)
    _write_parts(post, parts, start=0)
    for index, update in enumerate(updates):
        PostPart.objects.filter(pk=update.pk).update(position=len(parts) + index)


def _latest_revision(post: Post) -> Revision | None:
    return Revision.objects.filter(post_id=post.pk).order_by("-number").first()


def _record_revision(
    post: Post,
    *,
    editor: AbstractBaseUser | None,
    note: str = "",
    content: RevisionContent | None = None,
) -> Revision:
    content = content or _revision_content(post)
    last = Revision.objects.filter(post_id=post.pk).aggregate(last=Max("number"))["last"] or 0
    return Revision.objects.create(
        post=post,
        number=last + 1,
        author=editor if editor is not None and editor.pk is not None else None,
        headline=post.headline,
        content=content.to_data(),
        note=note[:200],
    )


def _revision_content(post: Post) -> RevisionContent:
    parts = list(PostPart.objects.filter(post_id=post.pk).order_by("position"))
    labels = list(post.labels.order_by("name").values_list("name", flat=True))
    return _content_of(post, parts, labels)


def _content_of(post: Post, parts: Sequence[PostPart], labels: Sequence[str]) -> RevisionContent:
    return RevisionContent(
        headline=post.headline,
        dateline_place=post.dateline_place,
        status=post.status,
        published_at=_iso(post.published_at),
        labels=tuple(sorted(labels)),
        parts=tuple(
            RevisionPart(
                kind=part.kind,
                body=part.body,
                speaker=part.speaker,
                at=_iso(part.at),
                outlet_name=part.outlet_name,
                source_headline=part.source_headline,
                url=part.url,
                quoted_excerpt=part.quoted_excerpt,
                retrieved_at=_iso(part.retrieved_at),
                article_id=part.article_id,
            )
            for part in parts
        ),
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _time(value: str | None) -> datetime | None:
    return None if not value else datetime.fromisoformat(value)


def _drafts(parts: Sequence[RevisionPart]) -> list[PartDraft]:
    """A revision's parts as drafts to write again (an article deleted since is unlinked)."""
    cited = {part.article_id for part in parts if part.article_id is not None}
    alive = set(Article.objects.filter(pk__in=cited).values_list("pk", flat=True))

    def citation(part: RevisionPart) -> CitationDraft:
        return CitationDraft(
            outlet_name=part.outlet_name,
            source_headline=part.source_headline,
            url=part.url,
            quoted_excerpt=part.quoted_excerpt,
            retrieved_at=_time(part.retrieved_at),
            article_id=part.article_id if part.article_id in alive else None,
        )

    drafts: list[PartDraft] = []
    for part in parts:
        if part.kind == PartKind.CITATION:
            drafts.append(citation(part))
        elif part.kind == PartKind.COMMENTARY:
            drafts.append(CommentaryDraft(text=part.body, speaker=part.speaker))
        elif part.kind == PartKind.UPDATE:
            source = citation(part) if part.url else None
            drafts.append(UpdateDraft(text=part.body, at=_time(part.at), citation=source))
        elif part.kind == PartKind.RAW_HTML:
            drafts.append(RawHtmlDraft(html=part.body))
        else:
            drafts.append(ProseDraft(html=part.body))
    return drafts


# --- internals -------------------------------------------------------------------------------


def _bump_generation(*posts: Post, neighbours: bool = True) -> None:
    """Invalidates the listings and each post's page; with `neighbours`, also the pages of the
    posts just before and after each (their previous/next links show its headline and
    address). Called where the posts stand at the moment: before a change that moves a post
    as well as after it, so old and new neighbours both follow."""
    names = [generations.LISTINGS]
    for post in posts:
        names.append(generations.post_page(post.slug))
        if neighbours:
            names.extend(
                generations.post_page(near.slug)
                for near in published_neighbours(post)
                if near is not None
            )
    generations.bump(names)


def _content_changed(post: Post, *, at: datetime | None = None, quiet: bool = False) -> None:
    """After an edit: the search text follows, a public post counts as updated, and caches
    must forget it.

    A `quiet` write (an import, the desk re-linking posts after a story merge) keeps the search
    text in step and does nothing else: no `updated_at` move, no generation bump, no signal.
    The caller calls `post_changed()` once when its whole batch commits, if the public saw any.
    """
    index_post(post)
    if post.status == PostStatus.PUBLISHED and not quiet:
        post.updated_at = max(filter(None, [at or timezone.now(), post.updated_at]))
        Post.objects.filter(pk=post.pk).update(updated_at=post.updated_at)
        _bump_generation(post)
        transaction.on_commit(lambda: signals.post_updated.send(Post, post=post))


def _visible(post: Post) -> bool:
    return post.status == PostStatus.PUBLISHED


def _clean_headline(headline: str) -> str:
    # Empty is allowed: an imported post may have none (pages show Post.title); the desk's
    # form is what asks an editor for one.
    cleaned = _one_line(headline)
    if len(cleaned) > MAX_HEADLINE:
        raise InvalidPost(f"the headline is longer than {MAX_HEADLINE} characters")
    return cleaned


def _one_line(text: str | None) -> str:
    """A plain-text field as one line, without what XML forbids: feeds out carry every field."""
    return " ".join(xml_safe(text or "").split())


def _check_status(status: str) -> str:
    if status not in PostStatus.values:
        raise InvalidPost(f"unknown status {status!r}; one of {', '.join(PostStatus.values)}")
    return PostStatus(status)


def time_problem(value: datetime, name: str) -> str | None:
    """Why a time stored with a post or a comment could not be shown, or None: pages show it in
    the site's zone, so it must be aware and inside EARLIEST_TIME to LATEST_TIME."""
    if timezone.is_naive(value):
        return f"{name} must be an aware datetime (UTC), not a naive one"
    if not EARLIEST_TIME <= value <= LATEST_TIME:
        return f"{name} {value.isoformat()} lies outside the years 1000 to 9999"
    return None


def _check_time(value: datetime | None, name: str) -> datetime | None:
    problem = None if value is None else time_problem(value, name)
    if problem is not None:
        raise InvalidPost(problem)
    return value


def _new_slug(text: str, *, explicit: bool) -> str:
    base = slugify(text)
    if explicit and Post.objects.filter(slug=base).exists():
        raise SlugTaken(base)
    taken = set(Post.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | set(
        SlugRedirect.objects.filter(old_slug__startswith=base).values_list("old_slug", flat=True)
    )
    return unique_slug(base, taken)


def _create_with_free_slug(text: str, *, explicit: bool, **fields: object) -> Post:
    # Two writers can find the same slug free at once. On PostgreSQL the second insert then
    # waits for the first to commit and fails on the unique index: pick again rather than lose
    # the post to an IntegrityError. Each round one writer wins, so rounds are bounded by them.
    for _round in range(SLUG_ROUNDS):
        slug = _new_slug(text, explicit=explicit)
        try:
            with transaction.atomic():
                return Post.objects.create(slug=slug, **fields)
        except IntegrityError:
            if not Post.objects.filter(slug=slug).exists():
                raise
            if explicit:
                raise SlugTaken(slug) from None
    raise SlugTaken(slugify(text))


def _labels(names: Iterable[str]) -> list[Label]:
    """The labels named, found by exact name: names that differ at all ("Media" and "media",
    "C++" and "C") are distinct labels, and a later one whose slug another label holds gets a
    suffix (`media-2`). Imports depend on it: a blog's categories and tags stay as written."""
    labels: dict[str, Label] = {}
    for raw in names:
        name = _one_line(str(raw))
        if not name:
            continue
        if len(name) > MAX_LABEL:
            raise InvalidPost(f"the label {name[:40]!r}... is longer than {MAX_LABEL} characters")
        if name in labels:
            continue
        labels[name] = Label.objects.filter(name=name).first() or _create_label(name)
    return list(labels.values())


def _create_label(name: str) -> Label:
    base = slugify(name)
    for _round in range(SLUG_ROUNDS):
        taken = set(Label.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        try:
            with transaction.atomic():
                return Label.objects.create(name=name, slug=unique_slug(base, taken))
        except IntegrityError:
            # Another writer created it (or took the slug) meanwhile; on PostgreSQL ours
            # waited for its commit.
            existing = Label.objects.filter(name=name).first()
            if existing is not None:
                return existing
    raise InvalidPost(f"no free address for the label {name[:40]!r}")


def _next_position(post: Post) -> int:
    last = post.parts.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _write_parts(post: Post, drafts: Sequence[PartDraft], *, start: int) -> list[PostPart]:
    rows = [_part_row(post, draft, start + offset) for offset, draft in enumerate(drafts)]
    return PostPart.objects.bulk_create(rows)


def _part_row(post: Post, draft: PartDraft, position: int) -> PostPart:
    def bad(message: str) -> InvalidPart:
        return InvalidPart(message, post_id=post.pk, position=position)

    match draft:
        case CitationDraft():
            return PostPart(
                post=post, position=position, kind=PartKind.CITATION, **_citation(draft, bad)
            )
        case CommentaryDraft(text=text, speaker=speaker):
            body = clean_post_html(text)
            if not body:
                raise bad("a commentary needs text")
            return PostPart(
                post=post,
                position=position,
                kind=PartKind.COMMENTARY,
                body=body,
                speaker=_one_line(speaker)[:200],
            )
        case UpdateDraft(text=text, at=at, citation=citation):
            body = clean_post_html(text)
            if not body:
                raise bad("an update needs text")
            if at is not None and timezone.is_naive(at):
                raise bad("an update's time must be aware (UTC)")
            source = _citation(citation, bad) if citation is not None else {}
            return PostPart(
                post=post,
                position=position,
                kind=PartKind.UPDATE,
                body=body,
                at=at or timezone.now(),
                **source,
            )
        case ProseDraft(html=html) | RawHtmlDraft(html=html):
            kind = PartKind.PROSE if isinstance(draft, ProseDraft) else PartKind.RAW_HTML
            return PostPart(post=post, position=position, kind=kind, body=clean_post_html(html))
    raise bad(f"unknown part {type(draft).__name__}")


def _citation(draft: CitationDraft, bad) -> dict[str, object]:  # type: ignore[no-untyped-def]
    url = (draft.url or "").strip()
    parts = urlsplit(url)
    # A control in the URL is no address (and XML, so every feed out, cannot carry it); unlike
    # in text, dropping it would link somewhere else, so the citation is refused.
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(url) > 2000
        or xml_safe(url) != url
    ):
        raise bad(f"a citation needs an http(s) URL, not {url[:80]!r}")
    outlet = _one_line(draft.outlet_name)
    if not outlet:
        raise bad("a citation needs the outlet's name")
    if draft.retrieved_at is not None and timezone.is_naive(draft.retrieved_at):
        raise bad("a citation's retrieved_at must be aware (UTC)")
    return {
        "outlet_name": outlet[:200],
        "source_headline": _one_line(draft.source_headline),
        "url": url,
        "quoted_excerpt": clean_post_html(draft.quoted_excerpt),
        "retrieved_at": draft.retrieved_at,
        "article_id": draft.article_id,
    }
