"""Imports a Blogger or WordPress export: one transaction, idempotent, quiet.

The file is streamed (`adapters.xml_stream`) and read into records (`domain.blogger`,
`domain.wxr`); each post is written through the blog's `quiet=True` services with the parts
recovered from its body (`domain.structure`), each comment through `comments_bridge`, and
every source item is remembered in `SourceRecord` so importing the file again creates nothing
twice. Nothing public changes until the transaction commits; then one `post_changed()`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction

from dateline.blog import services as blog
from dateline.blog.domain.drafts import PartDraft, PostDraft
from dateline.blog.domain.slugs import slugify
from dateline.blog.exceptions import BlogError
from dateline.blog.models import Post, PostKind
from dateline.comments.exceptions import CommentError
from dateline.comments.models import Comment
from dateline.porting import comments_bridge
from dateline.porting.adapters import xml_stream
from dateline.porting.domain.blogger import ATOM, BloggerReader
from dateline.porting.domain.dateline_markup import read_back
from dateline.porting.domain.html_text import image_sources
from dateline.porting.domain.records import (
    Author,
    FileHeader,
    ItemKind,
    Node,
    Record,
    Skipped,
    SourceComment,
    SourceItem,
    Status,
)
from dateline.porting.domain.structure import Recovered, recover
from dateline.porting.domain.wxr import NotWxr, WxrReader
from dateline.porting.exceptions import PortingError, UnknownFormat
from dateline.porting.images import ImageFetcher
from dateline.porting.models import SourceKind, SourceRecord
from dateline.porting.sniffing import not_xml
from dateline.wire import services as wire

Progress = Callable[[int, int], None]  # (bytes read, file size)
_BATCH = 200


@dataclass
class ImportReport:
    format: str = ""
    posts: int = 0
    drafts: int = 0
    pages: int = 0
    comments: int = 0
    replies: int = 0
    labels: int = 0
    authors: int = 0
    structured: int = 0
    images: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    parts: Counter[str] = field(default_factory=Counter)
    password_protected: int = 0
    dry_run: bool = False
    # OPML only.
    feeds: int | None = None

    def as_json(self) -> dict[str, Any]:
        if self.feeds is not None:
            return {"format": self.format, "feeds": self.feeds, "skipped": dict(self.skipped)}
        return {
            "format": self.format,
            "posts": self.posts,
            "drafts": self.drafts,
            "pages": self.pages,
            "comments": self.comments,
            "replies": self.replies,
            "labels": self.labels,
            "authors": self.authors,
            "structured": self.structured,
            "images": self.images,
            "skipped": dict(sorted(self.skipped.items())),
            "parts": dict(sorted(self.parts.items())),
            "password_protected": self.password_protected,
            "dry_run": self.dry_run,
        }


def import_file(
    path: Path,
    *,
    dry_run: bool = False,
    create_users: bool = False,
    fetch_images: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Imports the export at `path`; raises a PortingError (nothing written) when it cannot."""
    looks = not_xml(path)
    if looks is not None:
        raise UnknownFormat(f"{path}: not a Blogger, WordPress or OPML export: it is {looks}")
    xml_stream.check_prolog(path)
    size = path.stat().st_size
    with path.open("rb") as stream:
        first = _root(path)
        if first.tag in ("opml", "{http://opml.org/spec2}opml"):
            return _import_opml(path, dry_run=dry_run)
        if first.tag == f"{{{ATOM[0]}}}feed":
            reader: BloggerReader | WxrReader = BloggerReader(ns0=_prefix_of(path) == "ns0")
            depth = 1
        elif first.tag == "rss":
            reader, depth = WxrReader(), 2
        else:
            raise UnknownFormat(
                f"{path}: not a Blogger, WordPress or OPML export: an XML file whose root "
                f"element is <{_plain_tag(first.tag)}>"
            )
        records = _read(reader, stream, depth, path, size, progress)
        # A dry run fetches nothing: it only counts the pictures.
        images = ImageFetcher() if fetch_images and not dry_run else None
        writer = _Writer(dry_run=dry_run, create_users=create_users, images=images)
        with transaction.atomic():
            writer.write_all(records)
            if dry_run:
                transaction.set_rollback(True)
            elif writer.visible_change:
                transaction.on_commit(blog.post_changed)
    return writer.report


def _read(
    reader: BloggerReader | WxrReader,
    stream: IO[bytes],
    depth: int,
    path: Path,
    size: int,
    progress: Progress | None,
) -> Iterator[Record]:
    try:
        for count, element in enumerate(xml_stream.records(stream, record_depth=depth)):
            if isinstance(element, Node):
                yield from reader.read(element)
            if progress is not None and count % 200 == 0:
                progress(stream.tell(), size)
        yield from reader.finish()
    except NotWxr as error:
        raise UnknownFormat(f"{path}: not a WXR file WordPress would import: {error}") from None
    if progress is not None:
        progress(size, size)


def _root(path: Path) -> xml_stream.Root:
    for element in xml_stream.records(path, record_depth=1):
        if isinstance(element, xml_stream.Root):
            return element
    raise UnknownFormat(f"{path}: no root element")


def _prefix_of(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(4096)
    return "ns0" if b"<ns0:feed" in head else ""


def _plain_tag(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _import_opml(path: Path, *, dry_run: bool) -> ImportReport:
    data = path.read_bytes()
    with transaction.atomic():
        result = wire.import_opml(data)
        if dry_run:
            transaction.set_rollback(True)
    report = ImportReport(format="opml", feeds=result.added, dry_run=dry_run)
    if result.already_followed:
        report.skipped["already followed"] = result.already_followed
    if result.skipped:
        report.skipped["not a web address"] = len(result.skipped)
    return report


class _Writer:
    def __init__(
        self, *, dry_run: bool, create_users: bool, images: ImageFetcher | None = None
    ) -> None:
        self.report = ImportReport(dry_run=dry_run)
        self.fetcher = images
        self.create_users = create_users
        self.source = ""
        self.known: dict[str, tuple[int | None, int | None]] = {}
        self.post_ids: dict[str, int] = {}
        self.comment_ids: dict[str, int] = {}
        self.skipped_items: set[str] = set()
        self.seen: set[str] = set()
        self.labels: set[str] = set()
        self.authors: set[str] = set()
        self.images: set[str] = set()
        self.users: dict[str, Any] = {}
        self.author_names: dict[str, Author] = {}
        self.pending_records: list[SourceRecord] = []
        self.pending_items: list[tuple[SourceItem, PostDraft, Recovered]] = []
        self.pending_comments: list[SourceComment] = []
        # (source id, prepared comment, source id of a parent waiting in the batch or "").
        self.comment_batch: list[tuple[str, Comment, str]] = []
        self.batched: dict[str, int] = {}
        self.comment_posts: dict[int, int] = {}
        self.pending_addresses: list[tuple[Post, str]] = []
        self.visible_change = False

    def write_all(self, records: Iterator[Record]) -> None:
        for record in records:
            match record:
                case FileHeader():
                    self._start(record)
                case Author():
                    self.author_names[record.login] = record
                case SourceItem():
                    self._item(record)
                case SourceComment():
                    self.pending_comments.append(record)
                case Skipped():
                    self._skipped(record)
            if len(self.pending_records) >= _BATCH or len(self.pending_comments) >= _BATCH * 10:
                self._flush()
        self._flush()
        self.report.labels = len(self.labels)
        self.report.authors = len(self.authors)
        self.report.images = len(self.images)
        if self.fetcher is not None and self.fetcher.failed:
            self.report.skipped["image not fetched"] = len(self.fetcher.failed)

    def _start(self, header: FileHeader) -> None:
        self.report.format = header.format
        self.source = header.source[:300]
        for source_id, post_id, comment_id, comment_post_id in SourceRecord.objects.filter(
            source=self.source
        ).values_list("source_id", "post_id", "comment_id", "comment__post_id"):
            self.known[source_id] = (post_id, comment_id)
            if post_id is not None:
                self.post_ids[source_id] = post_id
            if comment_id is not None:
                self.comment_ids[source_id] = comment_id
                self.comment_posts[comment_id] = comment_post_id

    def _already(self, source_id: str) -> bool:
        if source_id in self.known:
            self.report.skipped["already imported"] += 1
            return True
        if source_id in self.seen:
            # Two items of one file under one id (hand-edited exports have them): the first is
            # kept, as WordPress's importer does.
            self.report.skipped["duplicate id"] += 1
            return True
        self.seen.add(source_id)
        return False

    def _item(self, item: SourceItem) -> None:
        if self._already(item.source_id):
            return
        body = self.fetcher.localise(item.html) if self.fetcher is not None else item.html
        back = read_back(body)
        if back is not None:
            # Dateline's own export: the parts it was rendered from, as they were.
            recovered = Recovered(parts=back.parts, structured=False)
            place = back.dateline_place
        else:
            recovered = recover(body, updated_at=item.updated_at or item.published_at)
            place = ""
        status = item.status
        if status == Status.SCHEDULED and item.published_at is None:
            status = Status.DRAFT
        user = self._user(item.author) if self.create_users else None
        draft = PostDraft(
            headline=item.title[: blog.MAX_HEADLINE],
            byline=item.author,
            dateline_place=place,
            author_id=user.pk if user is not None else None,
            parts=recovered.parts,
            labels=item.labels,
            status=status.value,
            sticky=item.sticky,
            published_at=item.published_at,
            updated_at=item.updated_at,
            slug=item.slug,
            kind=PostKind.PAGE if item.kind == ItemKind.PAGE else PostKind.POST,
        )
        self.pending_items.append((item, draft, recovered))
        if len(self.pending_items) >= _BATCH:
            self._flush()

    def _write_items(self) -> None:
        """Writes the items read so far in one batch (the blog's `create_posts`)."""
        if not self.pending_items:
            return
        drafts = [draft for _item, draft, _recovered in self.pending_items]
        try:
            posts = blog.create_posts(drafts, quiet=True)
        except BlogError as error:
            # Which item: the batch is written whole, so each is checked alone to name it.
            raise PortingError(self._culprit(error)) from error
        for (item, _draft, recovered), post in zip(self.pending_items, posts, strict=True):
            self.post_ids[item.source_id] = post.pk
            self.visible_change = self.visible_change or post.status == "published"
            self.pending_records.append(
                SourceRecord(
                    source=self.source,
                    source_id=item.source_id[:500],
                    kind=SourceKind.PAGE if item.kind == ItemKind.PAGE else SourceKind.POST,
                    post=post,
                    title=item.title,
                    original_html=item.html,
                )
            )
            self.pending_addresses += [(post, address) for address in item.old_addresses]
            self._count(item, post, recovered.parts, recovered.structured)
        self.pending_items = []

    def _culprit(self, error: BlogError) -> str:
        for item, draft, _recovered in self.pending_items:
            try:
                with transaction.atomic():
                    blog.create_posts([draft], quiet=True)
                    transaction.set_rollback(True)
            except BlogError as alone:
                return f"{item.source_id} ({item.title[:60]!r}): {alone}"
        return str(error)

    def _count(
        self, item: SourceItem, post: Post, parts: tuple[PartDraft, ...], structured: bool
    ) -> None:
        report = self.report
        if item.kind == ItemKind.PAGE:
            report.pages += 1
        else:
            report.posts += 1
            if post.status in ("draft", "pending_review"):
                report.drafts += 1
        if structured:
            report.structured += 1
            report.parts.update(_part_name(part) for part in parts)
        report.password_protected += item.password_protected
        self.labels.update(" ".join(label.split()) for label in item.labels)
        if item.author:
            self.authors.add(item.author)
        self.images.update(image_sources(item.html))

    def _user(self, name: str) -> Any:
        if not name:
            return None
        if name not in self.users:
            known = self.author_names.get(name)
            username = (slugify(name) or "author")[:150]
            users = get_user_model().objects
            # No password: an imported author signs in only once an editor gives them one.
            user = users.filter(username=username).first() or users.create_user(
                username, first_name=(known.display_name if known else name)[:150]
            )
            self.users[name] = user
        return self.users[name]

    def _comment(self, comment: SourceComment) -> None:
        if self._already(comment.source_id):
            return
        post_id = self.post_ids.get(comment.item_source_id)
        if post_id is None:
            reason = (
                "comments of skipped items"
                if comment.item_source_id in self.skipped_items
                else "comments on posts not in the file"
            )
            self.report.skipped[reason] += 1
            return
        # A parent waiting in the batch is linked once it is stored (`_store_comments`).
        waiting = comment.parent_source_id if comment.parent_source_id in self.batched else ""
        parent_id = self.comment_ids.get(comment.parent_source_id)
        if parent_id is not None and self.comment_posts.get(parent_id) != post_id:
            parent_id = None  # a parent on another post is no parent here
        try:
            prepared = comments_bridge.prepare(Post(pk=post_id), comment, parent_id=parent_id)
        except CommentError as error:
            raise PortingError(f"comment {comment.source_id}: {error}") from error
        self.comment_batch.append((comment.source_id, prepared, waiting))
        self.batched[comment.source_id] = post_id
        self.report.comments += 1
        if comment.parent_source_id:
            self.report.replies += 1
        if len(self.comment_batch) >= _BATCH * 5:
            self._store_comments()

    def _store_comments(self) -> None:
        """Stores the batch in waves: the comments whose parents are stored (or who have none),
        then their replies, and so on; as many statements as the threads are deep."""
        remaining = self.comment_batch
        while remaining:
            ready = [entry for entry in remaining if not entry[2] or entry[2] in self.comment_ids]
            if not ready:  # a loop of replies: stored without parents
                ready = remaining
            for _source, prepared, waiting in ready:
                parent_id = self.comment_ids.get(waiting) if waiting else None
                if parent_id is not None and self.comment_posts[parent_id] == prepared.post_id:
                    prepared.parent_id = parent_id
            ids = comments_bridge.store([prepared for _source, prepared, _waiting in ready])
            for (source_id, prepared, _waiting), comment_id in zip(ready, ids, strict=True):
                self.comment_ids[source_id] = comment_id
                self.comment_posts[comment_id] = prepared.post_id
                self.pending_records.append(
                    SourceRecord(
                        source=self.source,
                        source_id=source_id[:500],
                        kind=SourceKind.COMMENT,
                        comment_id=comment_id,
                    )
                )
            stored = {id(entry) for entry in ready}
            remaining = [entry for entry in remaining if id(entry) not in stored]
        self.comment_batch = []
        self.batched = {}

    def _skipped(self, skipped: Skipped) -> None:
        if skipped.source_id:
            self.skipped_items.add(skipped.source_id)
        if skipped.comments and skipped.reason == "comments on other blogs":
            self.report.skipped[skipped.reason] += skipped.comments
            return
        self.report.skipped[skipped.reason] += 1
        if skipped.comments:
            self.report.skipped["comments of skipped items"] += skipped.comments
        kept = skipped.kept_html or skipped.reason in ("trashed", "auto-draft")
        if kept and skipped.source_id and skipped.source_id not in self.known:
            self.known[skipped.source_id] = (None, None)
            self.pending_records.append(
                SourceRecord(
                    source=self.source,
                    source_id=skipped.source_id[:500],
                    kind=SourceKind.SKIPPED,
                    reason=skipped.reason[:100],
                    title=skipped.title,
                    original_html=skipped.kept_html,
                )
            )

    def _flush(self) -> None:
        # Posts first: the comments waiting are on them.
        self._write_items()
        for comment in self.pending_comments:
            self._comment(comment)
        self.pending_comments = []
        self._store_comments()
        SourceRecord.objects.bulk_create(self.pending_records, batch_size=_BATCH)
        self.pending_records = []
        if self.pending_addresses:
            kept = blog.keep_old_addresses(self.pending_addresses)
            if kept.taken:
                self.report.skipped["address taken"] += len(kept.taken)
            self.pending_addresses = []


def _part_name(part: PartDraft) -> str:
    return type(part).__name__.removesuffix("Draft").lower().replace("rawhtml", "raw_html")
