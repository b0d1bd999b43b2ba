"""A story's coverage (first reporter, outlets, countries, languages) and rank, recomputed from its
articles in the transaction that changes them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from dateline.stories.article_records import seen_at
from dateline.stories.domain import ranking
from dateline.stories.models import Story, StoryArticle


def _language(tag: str) -> str:
    """The primary subtag of a language tag as feeds write it: "en-GB", "en_US" and " EN " are
    all "en" (the wire keeps a feed's tag as it came; many write POSIX locales, or pad them)."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def recompute_coverage(story_ids: Iterable[int]) -> dict[int, Story]:
    """Brings the stories' first reporter, counts and rank up to date with their articles.

    Two queries and one update whatever the number of stories; call it inside the transaction
    that changed their articles.
    """
    ids = set(story_ids)
    if not ids:
        return {}
    rows = StoryArticle.objects.filter(story_id__in=ids).values_list(
        "story_id",
        "article_id",
        "article__title",
        "article__published_at",
        "article__fetched_at",
        "article__language",
        "article__outlet_id",
        "article__outlet__country",
        "article__outlet__language",
    )
    by_story: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_story[row[0]].append(row)
    stories = Story.objects.in_bulk(ids)
    for story_id, story in stories.items():
        members = by_story.get(story_id, [])
        times = [seen_at(published, fetched) for _, _, _, published, fetched, *_ in members]
        outlets = {row[6] for row in members}
        countries = sorted({row[7].upper() for row in members if row[7]})
        languages = sorted(
            {language for row in members if (language := _language(row[5]) or _language(row[8]))}
        )
        story.article_count = len(members)
        story.outlet_count = len(outlets)
        story.countries, story.country_count = countries, len(countries)
        story.languages, story.language_count = languages, len(languages)
        if not members:  # absorbed by a merge: nothing to rank
            story.first_article_id, story.recent_article_count, story.rank_key = None, 0, 0.0
            continue
        first = min(zip(times, members, strict=True), key=lambda pair: (pair[0], pair[1][1]))
        story.first_article_id = first[1][1]
        story.headline = first[1][2] or story.headline
        story.first_seen_at, story.last_seen_at = min(times), max(times)
        story.recent_article_count = ranking.velocity(times)
        story.rank_key = ranking.rank_key(
            ranking.Coverage(
                outlets=len(outlets),
                countries=len(countries),
                recent_articles=story.recent_article_count,
                last_seen=story.last_seen_at,
            )
        )
    Story.objects.bulk_update(
        stories.values(),
        [
            "headline",
            "first_seen_at",
            "last_seen_at",
            "first_article",
            "article_count",
            "outlet_count",
            "countries",
            "country_count",
            "languages",
            "language_count",
            "recent_article_count",
            "rank_key",
        ],
    )
    return stories
