"""What the compose screen starts from and what it hands the blog.

A new draft starts from one wire article (from a story, the story's best one): its headline,
a citation of it whose quote is built by ticking its paragraphs, the dateline place its text
opens with, labels suggested by the story's feeds and earlier posts. An existing post starts from
its own parts. On save the form becomes the blog's part drafts: citations, prose, commentary (the
update log is the blog's to keep). Every read here is a fixed number of queries, whatever the
size of the story.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from dateline.blog.domain.drafts import (
    CitationDraft,
    CommentaryDraft,
    PartDraft,
    ProseDraft,
    RawHtmlDraft,
)
from dateline.blog.models import Label, PartKind, Post, PostPart
from dateline.core.urls import web_link
from dateline.desk.domain.paragraphs import (
    dateline_place,
    editable_text,
    paragraphs,
    quote_html,
    split_quote,
    typed_html,
)
from dateline.stories.models import Story, StoryArticle
from dateline.wire.models import Article, Feed, FullTextStatus

# Other articles of the story offered as more citations: the earliest, a screenful.
MORE_CITATIONS = 20
# Paragraphs offered for ticking; an article longer than this is rarely quoted past it.
MAX_PARAGRAPHS = 60


@dataclass(frozen=True, slots=True)
class Offered:
    """One citation's source: the article and the paragraphs offered for ticking."""

    article: Article | None
    paragraphs: tuple[str, ...]


def offered(article: Article | None) -> Offered:
    if article is None:
        return Offered(None, ())
    # A page's text often opens with its own headline: not a paragraph to quote.
    title = " ".join((article.title or "").split()).casefold()
    texts = tuple(text for text in paragraphs(article.body) if text.casefold() != title)
    return Offered(article, texts[:MAX_PARAGRAPHS])


def articles_by_id(ids: Iterable[int | None]) -> dict[int, Article]:
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {a.pk: a for a in Article.objects.filter(pk__in=wanted).select_related("outlet")}


def article_with_story(article_id: int) -> tuple[Article, Story | None] | None:
    """The article (with its outlet) and the story it belongs to, in one query."""
    article = (
        Article.objects.select_related("outlet", "membership__story").filter(pk=article_id).first()
    )
    if article is None:
        return None
    membership = getattr(article, "membership", None)
    return article, (membership.story if membership is not None else None)


def best_article_id(story: Story) -> int | None:
    """The story's article to quote: the earliest one whose page text or feed content the wire
    has, else the first reporter (the compose screen fetches its text)."""
    fullest = (
        StoryArticle.objects.filter(story=story)
        .annotate(
            has_text=Case(
                When(
                    Q(article__full_text_status=FullTextStatus.FETCHED) | ~Q(article__content=""),
                    then=Value(0),
                ),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("has_text", "article__published_at", "article_id")
        .values_list("article_id", flat=True)
        .first()
    )
    return fullest or story.first_article_id


def citation_initial(article: Article) -> dict[str, Any]:
    return {
        "article": article.pk,
        "outlet_name": article.outlet.name,
        "source_headline": article.title,
        "url": web_link(article.url),
    }


def new_post_initial(article: Article, signature: str) -> dict[str, Any]:
    text = paragraphs(article.body)
    return {
        "headline": article.title,
        "dateline_place": dateline_place(text[0]) if text else "",
        "signature": signature,
    }


def suggested_labels(story: Story | None) -> list[str]:
    """Labels of the story's feeds (their OPML folders) and of earlier posts on it: two queries."""
    if story is None:
        return []
    found: list[str] = []
    for names in (
        Feed.objects.filter(articles__membership__story=story)
        .values_list("labels", flat=True)
        .distinct()
    ):
        found.extend(str(name) for name in names or ())
    found.extend(Label.objects.filter(posts__story=story).values_list("name", flat=True))
    unique: dict[str, str] = {}
    for name in found:
        cleaned = " ".join(name.split())
        if cleaned:
            unique.setdefault(cleaned.casefold(), cleaned)
    return sorted(unique.values(), key=str.casefold)


def story_articles(story: Story | None, *, leaving_out: Iterable[int] = ()) -> list[Article]:
    """More articles of the story to cite, earliest first (one query, at most a screenful)."""
    if story is None:
        return []
    return list(
        Article.objects.filter(membership__story=story)
        .exclude(pk__in=list(leaving_out))
        .select_related("outlet")
        .order_by("published_at", "pk")[:MORE_CITATIONS]
    )


def earlier_posts(story: Story | None, *, leaving_out: int | None = None) -> list[Post]:
    """Posts already covering the story (the editor may want to update one instead)."""
    if story is None:
        return []
    return list(
        Post.objects.filter(story=story)
        .exclude(pk=leaving_out)
        .only_link()
        .only("id", "headline", "slug", "published_at", "status")
        .order_by("-id")[:5]
    )


@dataclass(frozen=True, slots=True)
class PostStart:
    """An existing post read back into the compose form."""

    initial: dict[str, Any]
    citations: list[dict[str, Any]]
    articles: dict[int, Article]
    updates: list[PostPart]


def post_initial(post: Post, parts: Sequence[PostPart], labels: Sequence[str]) -> PostStart:
    cited = articles_by_id(part.article_id for part in parts if part.kind == PartKind.CITATION)
    citations: list[dict[str, Any]] = []
    prose: list[str] = []
    commentary: list[str] = []
    raw: list[str] = []
    speaker = ""
    for part in parts:
        if part.kind == PartKind.CITATION:
            article = cited.get(part.article_id or 0)
            ticked, rest = split_quote(part.quoted_excerpt, offered(article).paragraphs)
            citations.append(
                {
                    "article": article.pk if article is not None else None,
                    "outlet_name": part.outlet_name,
                    "source_headline": part.source_headline,
                    "url": part.url,
                    "paragraphs": list(ticked),
                    "quote": rest,
                }
            )
        elif part.kind == PartKind.PROSE:
            prose.append(part.body)
        elif part.kind == PartKind.COMMENTARY:
            commentary.append(part.body)
            speaker = speaker or part.speaker
        elif part.kind == PartKind.RAW_HTML:
            raw.append(part.body)
    initial = {
        "headline": post.headline,
        "dateline_place": post.dateline_place,
        "prose": editable_text("".join(prose)),
        "commentary": editable_text("".join(commentary)),
        "signature": speaker,
        "labels": ", ".join(labels),
        "raw_html": "".join(raw),
        # Only a scheduled post has a time still to come to show in the schedule box.
        "publish_at": (
            timezone.localtime(post.published_at).replace(second=0, microsecond=0, tzinfo=None)
            if post.published_at and post.status == "scheduled"
            else None
        ),
    }
    updates = [part for part in parts if part.kind == PartKind.UPDATE]
    return PostStart(initial, citations, cited, updates)


def citation_draft(data: dict[str, Any], source: Offered) -> CitationDraft:
    """A citation form's cleaned data as the blog's draft: the ticked paragraphs in the
    article's order, then what was typed in the quote box."""
    ticked = [source.paragraphs[index] for index in sorted(set(data.get("paragraphs") or ()))]
    quote = quote_html(ticked) + typed_html(data.get("quote") or "")
    article = source.article
    return CitationDraft(
        outlet_name=data["outlet_name"],
        source_headline=data.get("source_headline") or "",
        url=data["url"],
        quoted_excerpt=quote,
        retrieved_at=article.fetched_at if article is not None else timezone.now(),
        article_id=article.pk if article is not None else None,
    )


def body_drafts(
    data: dict[str, Any], citations: Sequence[CitationDraft], *, signature: str
) -> list[PartDraft]:
    """The post's editable body in its order: an imported HTML body, the citations, the prose,
    the signed commentary."""
    drafts: list[PartDraft] = []
    if (data.get("raw_html") or "").strip():
        drafts.append(RawHtmlDraft(html=data["raw_html"]))
    drafts.extend(citations)
    prose = typed_html(data.get("prose") or "")
    if prose:
        drafts.append(ProseDraft(html=prose))
    commentary = typed_html(data.get("commentary") or "")
    if commentary:
        drafts.append(CommentaryDraft(text=commentary, speaker=signature))
    return drafts


def label_names(typed: str, ticked: Iterable[str]) -> list[str]:
    names = [name.strip() for name in typed.split(",")]
    return list(dict.fromkeys(name for name in [*ticked, *names] if name))
