"""Neighbour events years apart: two stories on the same subject that are not one event (a coach
hired in 2005 and fired in 2008, the same team's two seasons). When one side is undated, the
latest year its text names says roughly when it was written; the time prior then keeps it out
of a story dated years before or after (``ClustererConfig.years_in_text``)."""

from __future__ import annotations

from datetime import UTC, datetime

from dateline.stories.domain.clusterer import ClustererConfig, StoryClusterer
from dateline.stories.domain.records import ArticleIn
from dateline.stories.domain.text_features import article_terms


def hired() -> ArticleIn:
    return ArticleIn(
        id="coach-hired",
        title="76ers name Maurice Cheeks head coach",
        text="The Philadelphia 76ers named Maurice Cheeks their head coach, general manager "
        "Billy King said, after a 2005 season that ended in the first round.",
        published=datetime(2005, 5, 24, tzinfo=UTC),
    )


def fired(n: int = 0) -> ArticleIn:
    # Undated, as archived reports often are: only its text says 2008.
    return ArticleIn(
        id=f"coach-fired-{n}",
        title="76ers dismiss Maurice Cheeks after slow start",
        text="Ed Stefanski dismissed Maurice Cheeks on Saturday after the 76ers' 9-14 start to "
        "the 2008 season; assistant Tony DiLeo takes over in Philadelphia.",
    )


def test_the_latest_year_named_anywhere_in_the_text_but_not_inside_figures() -> None:
    long_text = " ".join(["word"] * 500) + " It was the 2008 season, after 1999 and 2,0001 fans."
    assert article_terms("Sixers fire Cheeks", long_text).latest_year == 2008
    assert article_terms("Claims fall to 2,050,000; shares at 2019.5", "").latest_year is None
    assert article_terms("No year here", "Only 12 points.").latest_year is None


def test_an_undated_article_naming_a_later_year_does_not_join_a_story_years_before() -> None:
    reading_years = StoryClusterer()
    first = reading_years.add(hired()).story_id
    assert reading_years.add(fired()).story_id != first
    # Without the text's year nothing says they are years apart: the words alone join them.
    blind = StoryClusterer(ClustererConfig(years_in_text=False))
    assert blind.add(hired()).story_id == blind.add(fired()).story_id


def test_a_dated_article_does_not_join_an_undated_story_whose_text_names_years_before() -> None:
    clusterer = StoryClusterer()
    undated_story = clusterer.add(fired()).story_id
    # A report of the same words dated 2012 (its own text's years do not count: it has a date).
    late = ArticleIn(**{**vars_of(hired()), "published": datetime(2012, 3, 1, tzinfo=UTC)})
    assert clusterer.add(late).story_id != undated_story
    same_year = ArticleIn(
        **{**vars_of(hired()), "id": "dated", "published": datetime(2008, 12, 14, tzinfo=UTC)}
    )
    assert clusterer.add(same_year).story_id == undated_story


def test_two_undated_articles_are_not_kept_apart_by_their_texts_years_alone() -> None:
    # Two guesses are weak evidence (a year named in passing): only a date against a guess counts.
    undated_hiring = ArticleIn(**{**vars_of(hired()), "published": None})  # its text names 2005
    clusterer = StoryClusterer()
    assert clusterer.add(fired()).story_id == clusterer.add(undated_hiring).story_id
    strict = StoryClusterer(ClustererConfig(years_text_to_text=True))
    assert strict.add(fired()).story_id != strict.add(undated_hiring).story_id


def vars_of(article: ArticleIn) -> dict[str, object]:
    return {name: getattr(article, name) for name in article.__dataclass_fields__}
