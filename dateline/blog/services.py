"""The blog's public commands. Other apps (desk, comments, porting, demo) write posts only here.

Every command runs in one transaction: a bad part or label leaves nothing half-written. Every
change to what the public sees bumps the generations of the pages that show it (the post's
page, its neighbours', the listings: see `generations` and `post_changed`), which is what
invalidates those cached pages in every process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from dateline.blog import generations, signals
from dateline.blog.adapters import images
from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    PartDraft,
    ProseDraft,
    RawHtmlDraft,
    UpdateDraft,
)
from dateline.blog.domain.slugs import slugify, unique_slug
from dateline.blog.domain.text import xml_safe
from dateline.blog.exceptions import InvalidImage, InvalidPart, InvalidPost, SlugTaken
from dateline.blog.models import (
    Image,
    Label,
    PartKind,
    Post,
    PostPart,
    PostStatus,
    SlugRedirect,
    published_neighbours,
)
from dateline.blog.sanitising import clean_post_html
from dateline.blog.search import index_post
from dateline.stories.models import Story

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
    quiet: bool = False,
) -> Post:
    """Writes a post with its parts and labels, all or nothing.

    A PUBLISHED post without `published_at` is published now, one with a time still to come is
    SCHEDULED for it; a SCHEDULED one needs a time. `quiet` (every write service takes it): see
    `_content_changed`.
    """
    headline = _clean_headline(headline)
    status = _check_status(status)
    published_at = _check_time(published_at, "published_at")
    if status == PostStatus.PUBLISHED and published_at is None:
        published_at = timezone.now()
    if status == PostStatus.PUBLISHED and published_at > timezone.now():
        # As publish() does: nothing public changes when a stored time passes, so cached pages
        # would never learn of it; the worker's job publishes it, and they follow.
        status = PostStatus.SCHEDULED
    if status == PostStatus.SCHEDULED and published_at is None:
        raise InvalidPost("a scheduled post needs published_at, the time to publish it")
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
        )
        _write_parts(post, parts, start=0)
        post.labels.set(_labels(labels))
        index_post(post)
        if _visible(post) and not quiet:
            _bump_generation(post)
            transaction.on_commit(lambda: signals.post_published.send(Post, post=post))
    return post


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
    cleaned = _one_line(headline)
    if not cleaned:
        raise InvalidPost("a post needs a headline")
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
    labels: dict[str, Label] = {}
    for raw in names:
        name = _one_line(str(raw))
        if not name:
            continue
        if len(name) > MAX_LABEL:
            raise InvalidPost(f"the label {name[:40]!r}... is longer than {MAX_LABEL} characters")
        slug = slugify(name)
        if slug in labels:
            continue
        label = Label.objects.filter(slug=slug).first() or _create_label(name, slug)
        labels[slug] = label
    return list(labels.values())


def _create_label(name: str, slug: str) -> Label:
    try:
        with transaction.atomic():
            return Label.objects.create(name=name, slug=slug)
    except IntegrityError:
        # Another writer created it meanwhile (on PostgreSQL ours waited for its commit).
        existing = Label.objects.filter(Q(slug=slug) | Q(name=name)).first()
        if existing is None:
            raise
        return existing


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
