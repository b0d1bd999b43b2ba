"""A desk's worth of data written in bulk: open stories of many articles from many outlets, some
covered by posts, some marked on the desk, update suggestions waiting (for query counts and the
desk benchmark)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dateline.blog.models import Post, PostStatus
from dateline.desk.models import StoryDeskState, UpdateSuggestion
from dateline.stories.coverage import recompute_coverage
from dateline.stories.domain.records import AssignmentReason, ReasonKind
from dateline.stories.models import Story, StoryArticle
from dateline.wire.models import Article, Feed, Outlet

START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
COUNTRIES = ["GB", "DE", "FR", "IQ", "JP", "US", "BR", "IN", "NG", "TR"]
LANGUAGES = ["en", "de", "fr", "ar", "ja", "en", "pt", "hi", "en", "tr"]


def build(stories: int, articles: int, *, outlets: int = 40, start: int = 0) -> list[Story]:
    """Writes ``stories`` open stories sharing ``articles`` articles round the outlets; every
    tenth story is covered by a published post, with a suggestion waiting for it, and every
    seventh is marked on the desk. Story n's headline is its first report's, "Report n on story
    n: envoys arrive". Returns the stories, best-ranked first."""
    now = timezone.now()
    with transaction.atomic():
        made = [
            Outlet(
                name=f"Outlet {start + n}",
                country=COUNTRIES[n % 10],
                language=LANGUAGES[n % 10],
            )
            for n in range(outlets)
        ]
        made = Outlet.objects.bulk_create(made)
        feeds = Feed.objects.bulk_create(
            Feed(
                outlet=outlet,
                url=f"https://outlet{start + n}.example/feed.xml",
                labels=[f"Folder {n % 5}", "World"],
            )
            for n, outlet in enumerate(made)
        )
        new_stories = Story.objects.bulk_create(
            Story(
                headline=f"Story {start + n}: talks resume in city {n}",
                first_seen_at=START,
                last_seen_at=START,
                rank_key=float(n),
            )
            for n in range(stories)
        )
        rows = []
        for n in range(articles):
            k = n % outlets
            rows.append(
                Article(
                    outlet=made[k],
                    feed=feeds[k],
                    guid=f"a-{start}-{n}",
                    url=f"https://outlet{start + k}.example/{start}/{n}",
                    title=f"Report {n} on story {start + n % stories}: envoys arrive",
                    summary=f"<p>Officials said talks were at an advanced stage ({n}).</p>",
                    published_at=START + timedelta(minutes=n),
                )
            )
        made_articles = Article.objects.bulk_create(rows, batch_size=1000)
        StoryArticle.objects.bulk_create(
            (
                StoryArticle(
                    story=new_stories[n % stories],
                    article=article,
                    reason=_reason(n, stories, made_articles),
                )
                for n, article in enumerate(made_articles)
            ),
            batch_size=1000,
        )
        recompute_coverage(story.pk for story in new_stories)
        posts = Post.objects.bulk_create(
            Post(
                headline=f"Post on story {start + n}",
                slug=f"post-on-story-{start}-{n}",
                status=PostStatus.PUBLISHED,
                published_at=now - timedelta(hours=1),
                story=new_stories[n],
            )
            for n in range(0, stories, 10)
        )
        UpdateSuggestion.objects.bulk_create(
            UpdateSuggestion(
                post=post,
                outlet=made[0],
                article=made_articles[n],
                text="Envoys arrive",
                created_at=now,
            )
            for n, post in enumerate(posts)
        )
        StoryDeskState.objects.bulk_create(
            StoryDeskState(
                story=story,
                dismissed=n % 14 == 0,
                snoozed_until=now + timedelta(hours=4) if n % 14 == 7 else None,
                covered=n % 3 == 0,
                changed_at=now,
            )
            for n, story in enumerate(new_stories)
            if n % 7 == 0
        )
    return list(Story.objects.filter(pk__in=[story.pk for story in new_stories]).ranked())


def _reason(n: int, stories: int, articles: list[Article]) -> dict[str, object]:
    """Why the clusterer would have put article ``n`` there: its story's first opens it, the
    others join the story's previous article (one in ten across languages)."""
    if n < stories:
        return AssignmentReason(ReasonKind.NEW, language="en").as_json()
    kind = ReasonKind.JOINED_ACROSS_LANGUAGES if n % 10 == 3 else ReasonKind.JOINED
    shared = ("envoys", "talks", f"city {n % stories}")
    previous = str(articles[n - stories].pk)
    return AssignmentReason(kind, 0.81, previous, shared, "en").as_json()
