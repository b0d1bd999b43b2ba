"""The clustering job: assignments written with the cursor, coverage kept, state restored."""

from datetime import UTC, datetime, timedelta

import pytest

from dateline.core.config import Config
from dateline.stories import services
from dateline.stories.clustering_setup import build_clustering_setup, clustering_setup
from dateline.stories.domain.clusterer import PreparedArticle, StoryClusterer
from dateline.stories.domain.records import ArticleIn, Assignment
from dateline.stories.models import ClusteringCursor, Story, StoryArticle
from dateline.stories.signals import story_updated
from dateline.stories.tests.conftest import T0

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def run_until_done(worker: services.ClusteringWorker, now: datetime = NOW) -> int:
    total = 0
    while handled := worker.run(now):
        total += handled
    return total


def story_of(article) -> Story:
    return StoryArticle.objects.select_related("story").get(article=article).story


def test_articles_become_stories_with_their_coverage(wire):
    bbc = wire.outlet("BBC", country="gb")
    dw = wire.outlet("DW", country="DE", language="de")
    nhk = wire.outlet("NHK", country="JP", language="ja")
    # The wire brings them in this (id) order, but NHK published first.
    first_in = wire.article(bbc, "quake", hours=2)
    wire.article(dw, "quake", hours=3, language="de-DE")
    earliest = wire.article(nhk, "quake", hours=1)
    wire.article(bbc, "quake", hours=9)
    other = wire.article(dw, "strike", hours=4)

    assert run_until_done(services.ClusteringWorker()) == 5

    quake = story_of(first_in)
    assert story_of(earliest) == quake and story_of(other) != quake
    assert quake.first_article == earliest  # the first reporter, whatever the arrival order
    assert quake.headline == earliest.title
    assert (quake.article_count, quake.outlet_count) == (4, 3)
    assert quake.countries == ["DE", "GB", "JP"] and quake.country_count == 3
    assert quake.languages == ["de", "en", "ja"] and quake.language_count == 3
    assert quake.first_seen_at == T0 + timedelta(hours=1)
    assert quake.last_seen_at == T0 + timedelta(hours=9)
    assert quake.recent_article_count == 2  # hours 3 and 9 are within six hours of the latest
    assert quake.cluster_id is not None and not quake.closed
    assert ClusteringCursor.objects.get().last_article_id == other.pk
    # The broad story outranks the single-outlet one.
    assert list(Story.objects.ranked()) == [quake, story_of(other)]


def test_batches_continue_stories_across_runs_and_workers(wire):
    outlets = [wire.outlet(f"Outlet {n}") for n in range(5)]
    articles = [
        wire.article(outlets[n % 5], topic, hours=n)
        for n, topic in enumerate(["quake", "strike", "vote"] * 5)
    ]
    first, second = services.ClusteringWorker(batch=4), services.ClusteringWorker(batch=4)
    # Two processes take turns; each finds the other moved the cursor and rebuilds its clusterer.
    while first.run(NOW) + second.run(NOW):
        pass
    assert StoryArticle.objects.count() == len(articles)
    assert Story.objects.count() == 3
    assert sorted(Story.objects.values_list("article_count", flat=True)) == [5, 5, 5]
    assert first.restores >= 2 and second.restores >= 2


class DiesOnArticle(StoryClusterer):
    """A worker process that crashes while clustering the given article."""

    def __init__(self, article_id: int) -> None:
        super().__init__(model=clustering_setup().model)
        self.fatal = str(article_id)

    def add(self, article: ArticleIn | PreparedArticle) -> Assignment:
        record = article.article if isinstance(article, PreparedArticle) else article
        if record.id == self.fatal:
            raise RuntimeError("worker died")
        return super().add(article)


def test_a_worker_that_dies_mid_batch_writes_nothing_and_the_next_one_does_it_all(wire):
    outlet = wire.outlet("Outlet")
    articles = [wire.article(outlet, "quake", hours=n) for n in range(6)]
    dying = services.ClusteringWorker(make_clusterer=lambda: DiesOnArticle(articles[4].pk), batch=3)
    assert dying.run(NOW) == 3  # the first batch is written
    with pytest.raises(RuntimeError):
        dying.run(NOW)
    assert StoryArticle.objects.count() == 3
    assert ClusteringCursor.objects.get().last_article_id == articles[2].pk

    assert run_until_done(services.ClusteringWorker(batch=3)) == 3
    assert sorted(StoryArticle.objects.values_list("article_id", flat=True)) == [
        a.pk for a in articles
    ]
    assert Story.objects.get().article_count == 6


def test_story_updated_is_sent_exactly_when_an_outlet_new_to_the_story_joins(
    wire, django_capture_on_commit_callbacks
):
    a, b, c = wire.outlet("A"), wire.outlet("B"), wire.outlet("C")
    wire.article(a, "quake", hours=0)  # opens the story: no update
    wire.article(a, "quake", hours=1)  # same outlet again: none
    joined = wire.article(b, "quake", hours=2)  # a new outlet: one
    wire.article(b, "quake", hours=3)  # that outlet again: none
    wire.article(c, "strike", hours=3)  # another story opens: none
    heard = []

    def listen(sender, story, article, **kwargs):
        heard.append((story.pk, article.pk, story.outlet_count))

    story_updated.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.ClusteringWorker(batch=2).run(NOW)
            services.ClusteringWorker(batch=2).run(NOW)
            assert heard == []  # nothing before the transaction commits
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            run_until_done(services.ClusteringWorker())
            late = wire.article(c, "quake", hours=4)  # a third outlet, in a later run
            run_until_done(services.ClusteringWorker())
    finally:
        story_updated.disconnect(listen)
    quake = story_of(joined)
    assert heard == [(quake.pk, joined.pk, 2), (quake.pk, late.pk, 3)]


def closing_by_days_alone() -> services.ClusteringWorker:
    """A worker whose stories close by the days alone, however few articles follow."""
    return services.ClusteringWorker(
        build_clustering_setup(Config({"DATELINE_STORY_CLOSE_AFTER_ARTICLES": "0"}))
    )


def test_idle_stories_close_by_the_wires_clock_and_leave_the_clusterer(wire):
    outlet = wire.outlet("Outlet")
    old = wire.article(outlet, "quake", hours=0)
    worker = closing_by_days_alone()
    run_until_done(worker)
    # A quiet wire closes nothing, however late the worker runs.
    run_until_done(worker, now=NOW + timedelta(days=60))
    assert not story_of(old).closed
    # Ten days of news later, the story is idle: closed, and a new report opens another.
    wire.article(outlet, "strike", hours=24 * 10)
    again = wire.article(outlet, "quake", hours=24 * 10 + 1)
    run_until_done(worker)
    closed = story_of(old)
    assert closed.closed and closed.closed_at is not None
    assert story_of(again) != closed and not story_of(again).closed
    assert list(Story.objects.open().values_list("article_count", flat=True)) == [1, 1]


def quake_then_quiet_days(wire, close_after_days: str, quiet_days: int):
    """A quake report, then other news `quiet_days` later, clustered with the setting given."""
    setup = build_clustering_setup(
        Config(
            {
                "DATELINE_STORY_CLOSE_AFTER_DAYS": close_after_days,
                # Two articles: with the default, too few follow for any story to close.
                "DATELINE_STORY_CLOSE_AFTER_ARTICLES": "0",
            }
        )
    )
    outlet = wire.outlet("Outlet")
    old = wire.article(outlet, "quake", hours=0)
    worker = services.ClusteringWorker(setup)
    run_until_done(worker)
    wire.article(outlet, "strike", hours=24 * quiet_days)
    return old, outlet, worker


def test_a_longer_close_after_setting_keeps_a_quiet_story_open_for_the_next_report(wire):
    # The same ten quiet days that close a story by default (the test above).
    old, outlet, worker = quake_then_quiet_days(wire, "30", quiet_days=10)
    again = wire.article(outlet, "quake", hours=24 * 10 + 1)
    run_until_done(worker)
    assert not story_of(old).closed
    assert story_of(again) == story_of(old)


def test_a_shorter_close_after_setting_closes_a_story_sooner(wire):
    old, _, worker = quake_then_quiet_days(wire, "2", quiet_days=3)
    run_until_done(worker)
    assert story_of(old).closed


def test_the_desk_list_costs_two_queries_however_many_stories(wire, django_assert_num_queries):
    outlets = [wire.outlet(f"Outlet {n}", country=f"C{n}"[:2]) for n in range(3)]
    for n, topic in enumerate(["quake", "strike", "vote", "locusts"]):
        for outlet in outlets[: n % 3 + 1]:
            wire.article(outlet, topic, hours=n)
    run_until_done(services.ClusteringWorker())

    def show_desk() -> list[tuple[str, str, list[str]]]:
        return [
            (
                story.headline,
                story.first_article.outlet.name,
                [f"{m.article.outlet.name}: {m.article.title}" for m in story.shown_memberships],
            )
            for story in Story.objects.for_desk(articles_each=10)[:30]
        ]

    with django_assert_num_queries(2):
        shown = show_desk()
    assert len(shown) == 4
    for n in range(3):
        wire.article(outlets[n], "locusts", hours=10 + n)
    wire.article(outlets[0], "vote", hours=20)
    run_until_done(services.ClusteringWorker())
    with django_assert_num_queries(2):
        assert len(show_desk()) == 4


def test_a_wire_article_reaches_the_clusterer_as_plain_text(wire):
    outlet = wire.outlet("Le Monde", country="FR", language="fr")
    article = wire.article(outlet, "vote")
    article.summary = "<p>Les Chiliens &amp; <b>les</b>\n  urnes</p>"
    article.published_at = article.fetched_at + timedelta(days=2)  # a feed with a fast clock
    record = services.article_in(article)
    assert record.id == str(article.pk) and record.outlet == str(outlet.pk)
    assert record.text == "Les Chiliens & les urnes"
    assert record.language == "fr"  # the outlet's, as the article has none
    assert record.published == article.fetched_at  # never later than it reached the wire
    article.summary, article.content = "", "<div><p>Full text</p> here</div>"
    assert services.article_in(article).text == "Full text here"


def test_languages_count_a_language_once_however_the_feeds_spell_its_tag(wire):
    # Feeds write POSIX locales ("en_US"), odd case and padding; the wire keeps them as they came.
    for name, country, tag in [("A", "US", "en_US"), ("B", "GB", "EN-gb"), ("C", "AU", " en ")]:
        wire.article(wire.outlet(name, country=country, language=tag), "quake", hours=1)
    # A blank article tag falls back to its outlet's.
    wire.article(wire.outlet("D", country="DE", language="de"), "quake", hours=2, language="  ")

    run_until_done(services.ClusteringWorker())

    story = Story.objects.get()
    assert (story.languages, story.language_count) == (["de", "en"], 2)


def test_by_default_a_story_stays_open_until_enough_articles_followed_it(wire):
    outlet = wire.outlet("Outlet")
    old = wire.article(outlet, "quake", hours=0)
    wire.article(outlet, "strike", hours=24 * 10)  # ten days on: idle by the clock alone
    worker = services.ClusteringWorker()
    run_until_done(worker)
    assert not story_of(old).closed
