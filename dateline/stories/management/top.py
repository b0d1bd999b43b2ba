"""`dateline stories top FILE_OR_DB`: the largest stories with their outlets, to judge by eye.

FILE is a JSON-lines file of articles (fields id, title, and optionally text, lang, published,
source: the labelled files' fields, gold labels ignored); it is clustered in memory by the shipped
clusterer, in publication order, as the worker would have met it, with no database. `db` lists the
stories in the database instead.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError
from django.db import DatabaseError

from dateline.stories.clustering_setup import ClusteringSetup
from dateline.stories.domain.clusterer import replay
from dateline.stories.domain.evaluation import published_time
from dateline.stories.domain.records import ArticleIn
from dateline.stories.exceptions import BadArticleFile
from dateline.stories.management.setup_option import add_lexical_flag, chosen_setup
from dateline.wire.domain.text import terminal_safe

DATABASE = "db"
_EARLIEST = datetime.min.replace(tzinfo=UTC)
# Headlines shown under each story; the rest are counted.
HEADLINES_SHOWN = 15


@dataclass(frozen=True, slots=True)
class Line:
    """One article of a story as the listing shows it."""

    outlet: str
    title: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class TopStory:
    # Earliest first: the first is the first reporter.
    articles: tuple[Line, ...]
    countries: tuple[str, ...] = ()

    @property
    def outlets(self) -> list[tuple[str, int]]:
        """Each outlet with its number of articles, in the order they joined."""
        return list(Counter(line.outlet for line in self.articles).items())


def largest(stories: Iterable[TopStory], limit: int) -> list[TopStory]:
    def size(story: TopStory) -> tuple[int, int, datetime]:
        first = story.articles[0].published or datetime.max.replace(tzinfo=UTC)
        return (-len(story.articles), -len(story.outlets), first)

    return sorted(stories, key=size)[:limit]


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _shown(text: str) -> str:
    """A title or an outlet's name on one line of the terminal: they come from feeds and files,
    where a line break would forge a line of the listing and ESC would be obeyed, not shown."""
    return terminal_safe(" ".join(text.split()))


def render(stories: Sequence[TopStory], *, title: str) -> str:
    lines = [_shown(title), ""]
    if not stories:
        lines.append("No stories.")
    for rank, story in enumerate(stories, start=1):
        first = story.articles[0]
        indent = " " * len(f"{rank}. ")
        outlets = story.outlets
        lines.append(
            f"{rank}. {_shown(first.title)} ({_count(len(story.articles), 'article')}, "
            f"{_count(len(outlets), 'outlet')})"
        )
        lines.append(
            f"{indent}first reported by {_shown(first.outlet)} at {_when(first.published)}"
        )
        lines.append(
            indent + "outlets: " + ", ".join(f"{_shown(name)} ({n})" for name, n in outlets)
        )
        if story.countries:
            lines.append(indent + "countries: " + ", ".join(story.countries))
        for line in story.articles[:HEADLINES_SHOWN]:
            lines.append(f"{indent}- {_shown(line.outlet)}: {_shown(line.title)}")
        if len(story.articles) > HEADLINES_SHOWN:
            lines.append(f"{indent}- ... and {len(story.articles) - HEADLINES_SHOWN} more")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- A JSON-lines file, clustered in memory ----------------------------------------------------


def _published(value: Any, where: str) -> datetime | None:
    try:
        return published_time(value)
    except ValueError as error:
        raise BadArticleFile(str(error), where) from None


def read_articles(path: Path) -> list[ArticleIn]:
    """The file's articles; a line that is not an article with an id and a title is an error."""
    articles: list[ArticleIn] = []
    try:
        # utf-8-sig: files saved by spreadsheet and Windows tools start with a byte-order mark.
        handle = path.open(encoding="utf-8-sig")
    except OSError as error:
        raise BadArticleFile(f"cannot read the file: {error.strerror}", str(path)) from error
    with handle:
        try:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                articles.append(_article(text, f"{path}, line {number}"))
        except UnicodeDecodeError as error:
            raise BadArticleFile("the file is not UTF-8 text", str(path)) from error
    return articles


def _article(text: str, where: str) -> ArticleIn:
    try:
        row = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadArticleFile(f"not JSON: {error.msg}", where) from None
    if not isinstance(row, dict):
        raise BadArticleFile("not a JSON object", where)
    if row.get("id") is None or not isinstance(row.get("title"), str):
        raise BadArticleFile("an article needs an `id` and a `title` (text)", where)
    return ArticleIn(
        id=str(row["id"]),
        title=row["title"],
        text=str(row.get("text") or ""),
        outlet=str(row["source"]) if row.get("source") else None,
        language=str(row["lang"]) if row.get("lang") else None,
        published=_published(row.get("published"), where),
    )


def cluster_in_memory(articles: Sequence[ArticleIn], setup: ClusteringSetup) -> list[TopStory]:
    """Replays the articles through a fresh clusterer of ``setup`` in publication order (undated
    ones last, in file order), letting idle stories close as the articles' dates move on, with
    the periodic pass at the worker's cadence."""
    replayed = sorted(articles, key=lambda a: (a.published is None, a.published or _EARLIEST))
    assignments = replay(setup.clusterer(), setup.prepare(replayed), merge_every=setup.merge_every)
    members: dict[int, list[ArticleIn]] = {}
    for article, assignment in zip(replayed, assignments, strict=True):
        members.setdefault(assignment.story_id, []).append(article)
    return [
        TopStory(tuple(Line(a.outlet or "unknown outlet", a.title, a.published) for a in story))
        for story in members.values()
    ]


# --- The database ------------------------------------------------------------------------------


def from_database(limit: int) -> list[TopStory]:
    from dateline.stories.models import Story
    from dateline.stories.services import seen_at
    from dateline.wire.models import Article

    stories = Story.objects.filter(article_count__gt=0).largest().with_articles()[:limit]

    def when(article: Article) -> tuple[datetime, int]:
        # The coverage's own order (dateline.stories.coverage): the time it counts as published,
        # then arrival, so the first line is the story's first reporter on every database (the
        # prefetch's order puts undated articles first on SQLite, last on PostgreSQL).
        return seen_at(article.published_at, article.fetched_at), article.pk

    return [
        TopStory(
            articles=tuple(
                Line(a.outlet.name, a.title, seen_at(a.published_at, a.fetched_at))
                for a in sorted(story.articles.all(), key=when)
            ),
            countries=tuple(story.countries),
        )
        for story in stories
    ]


# --- The subcommand ----------------------------------------------------------------------------


def add_parser(subcommands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subcommands.add_parser(
        "top",
        help="Print the largest stories with their outlets.",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "source",
        metavar="FILE_OR_DB",
        help="a JSON-lines file of articles, or `db` for the stories in the database",
    )
    parser.add_argument("--limit", type=int, default=10, help="how many stories (default 10)")
    add_lexical_flag(parser, "clustering a file: ")


def run(out: TextIO, *, source: str, limit: int, lexical: bool = False, **_: Any) -> None:
    if limit < 1:
        raise CommandError("--limit must be at least 1.")
    if source == DATABASE:
        try:
            stories = from_database(limit)
        except DatabaseError as error:
            raise CommandError(
                f"cannot read the stories from the database ({error}); has `dateline migrate` run?"
            ) from None
        title = f"The largest stories in the database (top {limit})"
    else:
        try:
            articles = read_articles(Path(source))
        except BadArticleFile as error:
            raise CommandError(str(error)) from None
        setup = chosen_setup(lexical)
        clustered = cluster_in_memory(articles, setup)
        stories = largest(clustered, limit)
        how = "with sentence embeddings" if setup.embed else "on words alone"
        title = (
            f"The largest stories in {Path(source).name} (top {limit}; {len(articles)} articles "
            f"clustered {how} into {len(clustered)} stories)"
        )
    out.write(render(stories, title=title))
