"""The decide step: new, changed, unchanged and cross-feed entries (pure, no Django)."""

from __future__ import annotations

from datetime import UTC, datetime

from dateline.wire.domain.decide import Known, Memory, Ref, decide, make_candidate


def entry(guid="g1", link="https://example.org/a", title="Title", summary="s"):
    return make_candidate(guid=guid, link=link, title=title, summary=summary)


def test_everything_is_new_for_an_empty_memory():
    plan = decide([entry("g1", "https://e.org/1"), entry("g2", "https://e.org/2")], Memory())
    assert [n.candidate.guid for n in plan.new] == ["g1", "g2"]
    assert [s.ref for s in plan.sightings] == [Ref(pending=0), Ref(pending=1)]
    assert [s.key for s in plan.sightings] == ["guid:g1", "guid:g2"]


def test_known_unchanged_entry_writes_nothing():
    old = entry()
    memory = Memory(keys={old.key: 7}, articles={7: Known(7, old.title, old.content_hash)})
    plan = decide([entry()], memory)
    assert plan.empty and plan.unchanged == 1


def test_changed_entry_updates_and_keeps_the_earlier_title():
    old = entry(title="Five dead")
    memory = Memory(
        keys={old.key: 7}, articles={7: Known(7, "Five dead", old.content_hash, ("Blast",))}
    )
    plan = decide([entry(title="Twelve dead")], memory)
    assert not plan.new and not plan.sightings
    (change,) = plan.changed
    assert change.article_id == 7 and change.candidate.title == "Twelve dead"
    assert change.earlier_titles == ("Blast", "Five dead")


def test_changed_body_with_the_same_title_adds_no_earlier_title():
    old = entry(summary="first")
    memory = Memory(keys={old.key: 7}, articles={7: Known(7, old.title, old.content_hash)})
    (change,) = decide([entry(summary="second")], memory).changed
    assert change.earlier_titles == ()


def test_entry_whose_guid_changed_is_matched_by_link():
    old = entry(guid="old-scheme-1")
    memory = Memory(
        keys={old.key: 7},
        links={old.canonical_url: 7},
        articles={7: Known(7, old.title, old.content_hash)},
    )
    plan = decide([entry(guid="new-scheme-1", link="https://EXAMPLE.org/a?utm_source=x")], memory)
    assert not plan.new
    # The feed's sighting of the article stands for it: no row per GUID the feed makes up.
    assert plan.sightings == ()


def test_entry_without_guid_or_link_is_matched_by_content():
    old = make_candidate(guid=None, link=None, title="t", summary="same")
    memory = Memory(
        keys={old.key: 3},
        hashes={old.content_hash: 3},
        articles={3: Known(3, "t", old.content_hash)},
    )
    plan = decide([make_candidate(guid=None, link=None, title="t", summary="same")], memory)
    assert plan.empty and plan.unchanged == 1
    assert old.key.startswith("hash:")


def test_article_from_another_feed_is_seen_not_stored_again():
    memory = Memory(canonical={"https://example.org/a": 11})
    plan = decide([entry(link="http://example.org/a/?fbclid=zz")], memory)
    assert not plan.new and not plan.changed
    assert [(s.ref, s.key) for s in plan.sightings] == [(Ref(stored=11), "guid:g1")]


def test_another_feeds_article_is_not_rewritten_by_this_feed():
    memory = Memory(
        canonical={"https://example.org/a": 11},
        articles={11: Known(11, "Their title", "other-hash")},
    )
    plan = decide([entry(title="Our title")], memory)
    assert not plan.changed


def test_duplicates_inside_one_document_become_one_article_with_every_key_seen():
    first = entry(guid="a", link="https://example.org/x")
    same_link = entry(guid="b", link="https://example.org/x")
    repeated = entry(guid="a", link="https://example.org/x")
    plan = decide([first, same_link, repeated], Memory())
    assert len(plan.new) == 1
    assert [(s.ref, s.key) for s in plan.sightings] == [
        (Ref(pending=0), "guid:a"),
        (Ref(pending=0), "guid:b"),
    ]


def test_long_guid_is_keyed_by_its_hash():
    key = entry(guid="x" * 5000).key
    assert key.startswith("guid-sha256:") and len(key) < 100


def test_hash_separates_fields():
    assert (
        entry(title="ab", summary="c").content_hash != entry(title="a", summary="bc").content_hash
    )


def test_entries_without_guid_or_link_that_differ_only_by_date_are_both_sighted():
    # A status feed repeats the same text as distinct, dated entries: neither may be lost.
    first, second = (
        make_candidate(guid=None, link=None, summary="is broken", published_at=when)
        for when in (datetime(2024, 10, 1, tzinfo=UTC), datetime(2024, 10, 2, tzinfo=UTC))
    )
    plan = decide([first, second], Memory())
    assert len({s.key for s in plan.sightings}) == 2
    # One text, one article: both sightings point at it.
    assert len(plan.new) == 1 and {s.ref for s in plan.sightings} == {Ref(pending=0)}
    # Polled again, the same two entries add nothing.
    again = decide([first, second], Memory(keys={s.key: 5 for s in plan.sightings}))
    assert again.empty and again.unchanged == 2
