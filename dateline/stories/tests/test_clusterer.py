"""The clusterer's behaviour: incremental assignment, restore, corrections, closing, priors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dateline.stories.domain.clusterer import ClustererConfig, StoryClusterer
from dateline.stories.domain.records import ArticleIn
from dateline.stories.domain.scorer import LEXICAL_FEATURES

T0 = datetime(2026, 2, 14, 9, 0, tzinfo=UTC)


def quake(n: int, outlet: str | None = None, at: datetime | None = None) -> ArticleIn:
    heads = [
        "Magnitude 7.1 earthquake strikes Hokkaido, tsunami warning issued",
        "Strong Hokkaido earthquake of magnitude 7.1 triggers tsunami warning",
        "Tsunami warning after 7.1 quake hits Hokkaido in northern Japan",
        "Hokkaido quake: magnitude 7.1 tremor prompts tsunami alert",
    ]
    return ArticleIn(
        id=f"quake-{n}",
        title=heads[n % len(heads)],
        text="A magnitude 7.1 earthquake struck off Hokkaido, Japan's Meteorological Agency said, "
        "and a tsunami warning was issued for the Pacific coast near Kushiro.",
        outlet=outlet,
        published=at,
    )


def budget(n: int, outlet: str | None = None, at: datetime | None = None) -> ArticleIn:
    heads = [
        "Brazil's Senate approves Lula's 2026 budget after marathon vote",
        "Lula wins Senate approval for 2026 budget in Brasilia",
        "Brazilian senators pass Lula government's 2026 spending plan",
    ]
    return ArticleIn(
        id=f"budget-{n}",
        title=heads[n % len(heads)],
        text="Brazil's Senate in Brasilia approved President Luiz Inacio Lula da Silva's 2026 "
        "budget, with Finance Minister Fernando Haddad defending the spending cap.",
        outlet=outlet,
        published=at,
    )


def test_articles_on_one_event_join_and_another_event_opens_a_story() -> None:
    clusterer = StoryClusterer()
    first = clusterer.add(quake(0))
    assert first.created and first.score == 0.0
    second = clusterer.add(quake(1))
    assert not second.created and second.story_id == first.story_id and second.score > 0.5
    other = clusterer.add(budget(0))
    assert other.created and other.story_id != first.story_id
    assert clusterer.add(budget(1)).story_id == other.story_id
    assert sorted(clusterer.members(first.story_id)) == ["quake-0", "quake-1"]


def test_adding_a_known_article_again_changes_nothing() -> None:
    clusterer = StoryClusterer()
    story = clusterer.add(quake(0)).story_id
    again = clusterer.add(quake(0))
    assert again.story_id == story and not again.created
    assert clusterer.members(story) == ["quake-0"]


def test_restore_continues_ids_above_the_highest_restored_story() -> None:
    clusterer = StoryClusterer()
    clusterer.restore(41, [quake(0), quake(1)])
    clusterer.restore(7, [budget(0)])
    assert clusterer.add(quake(2)).story_id == 41
    assert clusterer.add(budget(1)).story_id == 7
    fresh = clusterer.add(ArticleIn(id="x", title="Chess olympiad opens in Tashkent"))
    assert fresh.created and fresh.story_id == 42
    with pytest.raises(ValueError):
        clusterer.restore(41, [quake(3)])
    with pytest.raises(ValueError):
        clusterer.restore(50, [quake(0)])  # already in story 41


def test_detached_article_is_never_reabsorbed() -> None:
    clusterer = StoryClusterer()
    story = clusterer.add(quake(0)).story_id
    clusterer.add(quake(1))
    moved_to = clusterer.detach("quake-1")
    assert moved_to != story
    assert clusterer.members(story) == ["quake-0"]
    assert clusterer.members(moved_to) == ["quake-1"]
    # Even when its story closes and it arrives again, it does not join the one it left.
    clusterer.close_idle(T0)
    assert clusterer.close_idle(T0 + timedelta(days=30))  # both closed
    clusterer.restore(story, [quake(0)])
    again = clusterer.add(quake(1))
    assert again.created and again.story_id != story


def test_merge_sticks_and_later_articles_join_the_kept_story() -> None:
    clusterer = StoryClusterer()
    keep = clusterer.add(quake(0)).story_id
    absorb = clusterer.add(budget(0)).story_id
    clusterer.merge(keep, absorb)
    assert sorted(clusterer.members(keep)) == ["budget-0", "quake-0"]
    with pytest.raises(KeyError):
        clusterer.members(absorb)
    assert clusterer.add(budget(1)).story_id == keep
    assert clusterer.open_stories == 1


def test_after_a_merge_the_members_compared_are_the_latest_of_both_stories() -> None:
    # Compared member by member with its latest member only, to make the order visible.
    clusterer = StoryClusterer(ClustererConfig(members_compared=1))
    keep = clusterer.add(quake(0)).story_id
    absorb = clusterer.add(budget(0)).story_id
    clusterer.add_decided(quake(1), lambda _candidates: keep)  # the latest of all three
    clusterer.merge(keep, absorb)
    assert clusterer.members(keep) == ["quake-0", "budget-0", "quake-1"]
    probe = replace(quake(1), id="probe")
    [candidate] = [c for c in clusterer.candidates(probe) if c.story_id == keep]
    # Met through quake-1, its twin, not through the older budget report absorbed last.
    assert candidate.features[LEXICAL_FEATURES.index("cos_best_member")] > 0.8


def test_merge_undoes_an_earlier_detach_between_the_same_articles() -> None:
    clusterer = StoryClusterer()
    story = clusterer.add(quake(0)).story_id
    clusterer.add(quake(1))
    other = clusterer.detach("quake-1")
    clusterer.merge(story, other)
    assert sorted(clusterer.members(story)) == ["quake-0", "quake-1"]


def test_close_idle_closes_by_the_articles_dates_and_frees_the_index() -> None:
    clusterer = StoryClusterer(ClustererConfig(close_after=timedelta(days=2)))
    old = clusterer.add(quake(0, at=T0)).story_id
    clusterer.add(quake(1, at=T0 + timedelta(hours=3)))
    recent = clusterer.add(budget(0, at=T0 + timedelta(days=2))).story_id
    assert clusterer.close_idle(T0 + timedelta(days=2)) == []
    terms_before = clusterer.indexed_terms
    assert clusterer.close_idle(T0 + timedelta(days=2, hours=4)) == [old]
    assert clusterer.open_stories == 1 and clusterer.open_articles == 1
    assert clusterer.indexed_terms < terms_before
    assert clusterer.story_of("quake-0") is None
    # A late article on the closed event opens a new story rather than waking the old one.
    late = clusterer.add(quake(2, at=T0 + timedelta(days=2, hours=5)))
    assert late.created and late.story_id not in (old, recent)


def test_undated_articles_cluster_and_close_once_a_clock_is_known() -> None:
    clusterer = StoryClusterer(ClustererConfig(close_after=timedelta(days=1)))
    story = clusterer.add(quake(0)).story_id
    assert clusterer.add(quake(1)).story_id == story
    assert clusterer.close_idle(T0) == []  # the idle clock of undated stories starts here
    assert clusterer.close_idle(T0 + timedelta(hours=23)) == []
    assert clusterer.close_idle(T0 + timedelta(days=1, hours=1)) == [story]


def test_dates_at_the_ends_of_the_calendar_neither_crash_nor_close_what_is_open() -> None:
    # Feeds do say "Mon, 01 Jan 0001" (a zero date); the stream's first article may carry it.
    clusterer = StoryClusterer(ClustererConfig(close_after=timedelta(days=7)))
    first_day = datetime.min.replace(tzinfo=UTC)
    story = clusterer.add(quake(0, at=first_day)).story_id
    assert clusterer.close_idle(first_day) == []
    assert clusterer.add(quake(1, at=first_day + timedelta(hours=1))).story_id == story
    assert clusterer.close_idle(datetime.max.replace(tzinfo=UTC)) == [story]


def test_dated_articles_far_apart_do_not_join() -> None:
    clusterer = StoryClusterer(ClustererConfig(close_after=timedelta(days=3)))
    story = clusterer.add(quake(0, at=T0)).story_id
    far = clusterer.add(quake(1, at=T0 + timedelta(days=5)))
    assert far.created and far.story_id != story
    near = clusterer.add(quake(2, at=T0 + timedelta(days=5, hours=2)))
    assert near.story_id == far.story_id


def test_same_outlet_within_hours_lowers_the_score_but_is_no_rule() -> None:
    def second_score(outlet_b: str | None, hours: float) -> float:
        clusterer = StoryClusterer()
        clusterer.add(quake(0, outlet="nhk", at=T0))
        return clusterer.add(quake(1, outlet=outlet_b, at=T0 + timedelta(hours=hours))).score

    other_outlet = second_score("bbc", 1)
    same_outlet = second_score("nhk", 1)
    assert same_outlet < other_outlet
    assert same_outlet > 0.0  # a near-identical article still joins: a weak prior, not a veto
    # A day later a follow-up from the same outlet is ordinary.
    assert second_score("nhk", 30) == pytest.approx(second_score("bbc", 30))
    # An unknown outlet is never taken for the same one.
    assert second_score(None, 1) == pytest.approx(other_outlet)


# What many outlets append to every article in their full-text feeds: the same few hundred words
# of background, promotion and licensing, whatever the article is about.
BOILERPLATE = " ".join(
    [
        "Background: the Northgate Herald's correspondents in Lisbon, Nairobi, Jakarta and",
        "Montevideo file around the clock. Subscribe to Herald Briefing, our morning newsletter,",
        "for analysis from Ottilie Vanderkamp and Rasmus Quigley. Photographs by Ximena Baptiste",
        "for Meridian Pictures. Licensed under the Kestrel Syndication Agreement; reproduction",
        "requires permission from Herald Holdings of Wexford. Corrections policy: write to the",
        "readers' editor at Fenwick Quay, Galway. Podcasts: Dispatches with Zebulon Achterberg",
        "every Thursday, Frontlines with Philippa Oduya on Sundays.",
    ]
    * 3
)


QUAKE_BODY = (
    " Residents of Kushiro and Nemuro were told to move to higher ground. The agency said waves"
    " of up to three metres could reach the coast within the hour, and trains on the Nemuro line"
    " were halted. Hokkaido Electric said the Tomari plant showed no abnormality. Aftershocks of"
    " magnitude 5 or more may follow for a week, seismologists warned, and schools across eastern"
    " Hokkaido will stay closed on Saturday while engineers inspect bridges and harbour walls."
)
BUDGET_BODY = (
    " The vote came after fourteen hours of debate in Brasilia. Senators cut spending on regional"
    " projects and raised the Bolsa Familia allowance, and the Chamber of Deputies must now agree"
    " to the changes. Haddad told reporters the cap would hold the deficit at zero next year."
    " Opposition senators said the plan leaned on optimistic revenue from new taxes on online"
    " betting, and rating agencies in Sao Paulo will read the final text before any review."
)


def full_text(article: ArticleIn, body: str) -> ArticleIn:
    return replace(article, text=article.text + body + " " + BOILERPLATE)


def test_words_past_the_lead_do_not_join_two_events() -> None:
    clusterer = StoryClusterer()
    quake_story = clusterer.add(full_text(quake(0), QUAKE_BODY))
    budget_story = clusterer.add(full_text(budget(0), BUDGET_BODY))
    assert budget_story.created and budget_story.story_id != quake_story.story_id
    # The lead still counts: the same event, with the same tail, joins.
    again = clusterer.add(full_text(quake(1), QUAKE_BODY))
    assert again.story_id == quake_story.story_id
