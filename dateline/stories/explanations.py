"""Why each article is in its story, in plain words for the desk's story page.

The reasons are stored with each membership by the clustering job (``domain.why`` tells them);
this module reads a story's, fetches the headlines of the articles they name in one query, and
words them.
"""

from __future__ import annotations

from dateline.stories.domain.records import AssignmentReason
from dateline.stories.domain.why import describe
from dateline.stories.models import StoryArticle
from dateline.wire.models import Article


def why_in_story(story_id: int) -> dict[int, str]:
    """Each article of the story, by id, with why it is there: two queries for the whole story."""
    reasons = {
        article_id: AssignmentReason.from_json(raw)
        for article_id, raw in StoryArticle.objects.filter(story_id=story_id).values_list(
            "article_id", "reason"
        )
    }
    matched = {
        int(reason.matched_article)
        for reason in reasons.values()
        if reason is not None
        and reason.matched_article is not None
        and reason.matched_article.isdigit()
    }
    titles = {
        str(pk): title
        for pk, title in Article.objects.filter(pk__in=matched).values_list("pk", "title")
    }
    # Memberships made before reasons were kept say nothing rather than something vague.
    return {
        article_id: describe(reason, titles.get(reason.matched_article or ""))
        for article_id, reason in reasons.items()
        if reason is not None
    }
