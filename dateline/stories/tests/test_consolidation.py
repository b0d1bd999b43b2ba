"""The periodic pass in the clusterer alone: fragments merge, editors' cannot-links hold."""

from __future__ import annotations

from datetime import timedelta

from dateline.stories.domain.clusterer import ClustererConfig, StoryClusterer, replay
from dateline.stories.domain.consolidation import PlannedMerge, plan_merges
from dateline.stories.tests.test_clusterer import budget, quake

# Never joins on arrival (no candidate is looked at): every article opens a fragment, and only
# the periodic pass can bring fragments together.
FRAGMENTING = ClustererConfig(max_candidates=0)


def test_average_linkage_merges_above_the_threshold_and_the_larger_story_keeps_its_id() -> None:
    sizes = {1: 1, 2: 3, 3: 1, 4: 1}
    links = {(1, 2): 0.9, (2, 3): 0.8, (1, 3): 0.8, (3, 4): 0.2}
    assert plan_merges(sizes, links, 0.7) == [PlannedMerge(2, 1, 0.9), PlannedMerge(2, 3, 0.8)]


def test_average_linkage_counts_a_missing_link_as_none() -> None:
    # 3 links strongly to 1 but not at all to 2: after 1 and 2 merge (size 1 each), the group's
    # link to 3 is the mean 0.45, under the threshold.
    links = {(1, 2): 0.95, (1, 3): 0.9}
    assert plan_merges({1: 1, 2: 1, 3: 1}, links, 0.7) == [PlannedMerge(1, 2, 0.95)]


def test_stories_kept_apart_stay_apart_after_merges_on_either_side() -> None:
    links = {(1, 2): 0.95, (2, 3): 0.9, (1, 3): 0.9}
    # 1 and 3 may never be one story: once 1 and 2 merged, 3 cannot join them either.
    assert plan_merges({1: 1, 2: 1, 3: 1}, links, 0.7, apart=[(3, 1)]) == [PlannedMerge(1, 2, 0.95)]


def test_the_pass_merges_fragments_of_one_event_and_not_another_event() -> None:
    clusterer = StoryClusterer(FRAGMENTING)
    quakes = [clusterer.add(quake(n)).story_id for n in range(3)]
    budgets = [clusterer.add(budget(n)).story_id for n in range(2)]
    assert clusterer.open_stories == 5

    merges = clusterer.consolidate()

    assert clusterer.open_stories == 2
    assert {m.absorb for m in merges} | {m.keep for m in merges} == set(quakes + budgets)
    (quake_story,) = {clusterer.story_of(f"quake-{n}") for n in range(3)}
    (budget_story,) = {clusterer.story_of(f"budget-{n}") for n in range(2)}
    assert quake_story != budget_story
    # Nothing changed since: the next pass compares nothing and merges nothing.
    assert clusterer.consolidate() == []


def test_the_pass_never_crosses_an_editors_cannot_link() -> None:
    clusterer = StoryClusterer(FRAGMENTING)
    for n in range(3):
        clusterer.add(quake(n))
    clusterer.cannot_link("quake-0", "quake-2")
    clusterer.consolidate()
    assert clusterer.story_of("quake-0") != clusterer.story_of("quake-2")
    assert clusterer.story_of("quake-1") in {
        clusterer.story_of("quake-0"),
        clusterer.story_of("quake-2"),
    }


def test_a_story_an_editor_split_stays_split() -> None:
    clusterer = StoryClusterer()
    joined = [clusterer.add(quake(n)).story_id for n in range(3)]
    assert len(set(joined)) == 1
    alone = clusterer.detach("quake-2")  # the editor moved it out
    clusterer.consolidate()
    assert clusterer.members(alone) == ["quake-2"]


def test_a_replay_runs_the_pass_and_names_each_articles_final_story() -> None:
    articles = [quake(n) for n in range(4)] + [budget(n) for n in range(3)]
    without = replay(StoryClusterer(FRAGMENTING), articles)
    assert len({a.story_id for a in without}) == 7
    with_pass = replay(StoryClusterer(FRAGMENTING), articles, merge_every=timedelta(minutes=10))
    story_of = {a.article_id: a.story_id for a in with_pass}
    assert len(set(story_of.values())) == 2
    assert len({story_of[f"quake-{n}"] for n in range(4)}) == 1


def test_stories_close_only_once_enough_articles_followed_them() -> None:
    from dateline.stories.tests.test_clusterer import T0

    clusterer = StoryClusterer(
        ClustererConfig(close_after=timedelta(days=1), close_after_articles=3)
    )
    story = clusterer.add(quake(0, at=T0)).story_id
    # A far later article moves the clock on by days: by the clock alone the story is idle.
    clusterer.add(budget(0, at=T0 + timedelta(days=400)))
    assert clusterer.close_idle(T0 + timedelta(days=400)) == []
    clusterer.add(budget(1, at=T0 + timedelta(days=400)))
    clusterer.add(budget(2, at=T0 + timedelta(days=400)))
    assert clusterer.close_idle(T0 + timedelta(days=400)) == [story]


def test_pair_link_is_the_link_the_pass_merges_on_and_none_across_a_cannot_link() -> None:
    clusterer = StoryClusterer(FRAGMENTING)
    first, second = (clusterer.add(quake(n)).story_id for n in range(2))
    other = clusterer.add(budget(0)).story_id
    link = clusterer.pair_link(first, second)
    assert link is not None and link >= clusterer.config.merge_probability
    assert clusterer.pair_link(second, first) == link
    # The budget story shares no term with the quakes: the pass never compares them.
    assert clusterer.pair_link(first, other) is None
    (merge,) = clusterer.consolidate()
    assert {merge.keep, merge.absorb} == {first, second}
    assert merge.link == link

    apart = StoryClusterer(FRAGMENTING)
    stories = [apart.add(quake(n)).story_id for n in range(2)]
    apart.cannot_link("quake-0", "quake-1")
    assert apart.pair_link(*stories) is None
