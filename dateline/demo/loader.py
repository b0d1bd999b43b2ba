"""Loads the demo site through the apps' own services, as real use would. Idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from string import Template

from django.contrib.auth import get_user_model
from django.utils import timezone

from dateline.blog import services as blog
from dateline.blog.domain.drafts import CitationDraft, CommentaryDraft
from dateline.blog.models import Post, PostStatus
from dateline.comments import services as comments
from dateline.comments.models import CommentStatus
from dateline.core import demo_account
from dateline.demo.content import OUTLETS, POSTS, DemoPost
from dateline.stories import services as stories
from dateline.wire import services as wire
from dateline.wire.models import Article

FEEDS = Path(__file__).resolve().parent / "feeds"
# Demo only; printed by `make run`, refused by production.
EDITOR = (demo_account.USERNAME, demo_account.PASSWORD)


def load(*, now: datetime | None = None, say: Callable[[str], None] = print) -> None:
    now = now or timezone.now()
    editor = _editor()
    for outlet in OUTLETS:
        feed = wire.add_feed(
            url=outlet.feed_url,
            outlet_name=outlet.name,
            home_url=outlet.home_url,
            country=outlet.country,
            language=outlet.language,
        )
        result = wire.ingest_document(feed, _render_feed(outlet.feed_file, now))
        say(f"{outlet.name}: {result.new} new articles")
    while stories.cluster_new_articles(now):
        pass
    for number, post in enumerate(POSTS):
        if Post.objects.filter(slug=post.slug).exists():
            continue
        _write_post(post, editor=editor, published_at=now - timedelta(hours=3 * number + 1))
        say(f"post: {post.headline}")


def _editor():  # type: ignore[no-untyped-def]
    users = get_user_model()
    user, created = users.objects.get_or_create(
        username=EDITOR[0],
        defaults={
            "is_staff": True,
            "is_superuser": True,
            "first_name": "WNU",
            "last_name": "Editor",
        },
    )
    if created:
        user.set_password(EDITOR[1])
        user.save(update_fields=["password"])
    return user


def _render_feed(name: str, now: datetime) -> bytes:
    """The demo feeds carry `$day0`/`$iso0` (today) and `$day1`/`$iso1` (yesterday) so the demo
    always shows fresh news."""
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    text = Template((FEEDS / name).read_text(encoding="utf-8")).substitute(
        day0=today.strftime("%a, %d %b %Y"),
        day1=yesterday.strftime("%a, %d %b %Y"),
        iso0=today.isoformat(),
        iso1=yesterday.isoformat(),
    )
    return text.encode("utf-8")


def _citation(outlet_name: str, guid: str) -> CitationDraft:
    article = (
        Article.objects.served_with_guid(guid)
        .select_related("outlet")
        .get(outlet__name=outlet_name)
    )
    return CitationDraft(
        outlet_name=article.outlet.name,
        source_headline=article.title,
        url=article.url,
        quoted_excerpt=article.summary,
        retrieved_at=article.fetched_at,
        article_id=article.pk,
    )


def _write_post(draft: DemoPost, *, editor, published_at: datetime) -> None:  # type: ignore[no-untyped-def]
    citation = _citation(draft.cited_outlet, draft.cited_guid)
    article = Article.objects.get(pk=citation.article_id)
    membership = getattr(article, "membership", None)
    post = blog.create_post(
        headline=draft.headline,
        slug=draft.slug,
        author=editor,
        byline="WNU Editor",
        parts=[citation, CommentaryDraft(text=draft.commentary, speaker="WNU Editor")],
        labels=draft.labels,
        dateline_place=draft.dateline_place,
        status=PostStatus.PUBLISHED,
        published_at=published_at,
        story=membership.story if membership else None,
    )
    if draft.update:
        outlet_name, guid, text = draft.update
        blog.append_update(
            post,
            text=text,
            citation=_citation(outlet_name, guid),
            at=published_at + timedelta(minutes=50),
        )
    for number, comment in enumerate(draft.comments):
        comments.record(
            post,
            author_name=comment.author_name,
            body=comment.body,
            status=CommentStatus.APPROVED if comment.approved else CommentStatus.PENDING,
            created_at=published_at + timedelta(minutes=20 * (number + 1)),
        )
