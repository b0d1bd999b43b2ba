"""The pure rules: policy, links, wildcard patterns, the classifier's maths, thread layout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dateline.comments.domain import bayes, links, rules, threads
from dateline.comments.domain.policy import Mode, ModerationPolicy, PolicyError, commenting_closed

NOW = datetime(2026, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("none", ModerationPolicy(Mode.NONE)), (" First-Time ", ModerationPolicy(Mode.FIRST_TIME)),
     ("older-than:14", ModerationPolicy(Mode.OLDER_THAN, 14))],
)  # fmt: skip
def test_policies_parse(text, expected):
    assert ModerationPolicy.parse(text) == expected


@pytest.mark.parametrize("text", ["", "sometimes", "older-than:", "older-than:-1", "older-than:x"])
def test_bad_policies_are_refused(text):
    with pytest.raises(PolicyError):
        ModerationPolicy.parse(text)


def test_older_than_holds_only_old_posts():
    policy = ModerationPolicy.parse("older-than:7")
    assert not policy.holds(
        known_commenter=False, post_published_at=NOW - timedelta(days=6), now=NOW
    )
    assert policy.holds(known_commenter=True, post_published_at=NOW - timedelta(days=8), now=NOW)


def test_commenting_closes_by_age_unless_zero():
    old = NOW - timedelta(days=31)
    assert commenting_closed(published_at=old, close_after_days=30, now=NOW)
    assert not commenting_closed(published_at=old, close_after_days=0, now=NOW)


@pytest.mark.parametrize(
    ("source", "html", "website", "count"),
    [("plain words", "<p>plain words</p>", "", 0),
     ("[a](https://a.example/)", '<p><a href="https://a.example/">a</a></p>', "", 1),
     ("see www.b.example and https://c.example/x", "<p>see www.b.example and https://c.example/x</p>",
      "https://me.example/", 3)],
)  # fmt: skip
def test_links_are_counted(source, html, website, count):
    assert links.count_links(source, html, website=website) == count


def candidate(**changes):
    values = {"name": "Sam", "email": "sam@example.org", "body": "A fair point", "website": "",
              "address_hash": "h1", "network_hash": "n1"}  # fmt: skip
    return rules.Candidate(**{**values, **changes})


@pytest.mark.parametrize(
    ("rule", "matched"),
    [(rules.Rule("word", "viagra", "hold"), candidate(body="Buy VIAGRA now")),
     (rules.Rule("word", "casino*", "hold"), candidate(body="casinos galore")),
     (rules.Rule("name", "*bot*", "ban"), candidate(name="Spambot 3000")),
     (rules.Rule("email", "*@spam.example", "shadow"), candidate(email="X@Spam.Example")),
     (rules.Rule("address", "h1", "ban"), candidate())],
)  # fmt: skip
def test_patterns_match(rule, matched):
    assert rules.matches(rule, matched)


def test_a_word_matches_at_word_edges_only():
    assert not rules.matches(rules.Rule("word", "ass", "hold"), candidate(body="a classic pass"))


def test_the_strongest_rule_decides():
    found = rules.strongest_match(
        [rules.Rule("word", "fair", "hold"), rules.Rule("address", "h1", "shadow")], candidate()
    )
    assert found is not None and found.action == "shadow"


def test_the_classifier_says_nothing_before_both_lessons():
    assert bayes.spam_probability({"a"}, {}, spam_total=0, ham_total=3) is None


def test_the_classifier_separates_what_it_was_taught():
    counts = {"casino": bayes.Counts(5, 0), "ferry": bayes.Counts(0, 5), "the": bayes.Counts(5, 5)}
    spammy = bayes.spam_probability({"casino", "the"}, counts, spam_total=5, ham_total=5)
    hammy = bayes.spam_probability({"ferry", "the"}, counts, spam_total=5, ham_total=5)
    assert spammy is not None and hammy is not None and spammy > 0.9 > 0.1 > hammy


def test_tokens_include_linked_hosts():
    assert "host:pills.example" in bayes.tokens("see https://www.pills.example/buy now")


def test_a_long_chain_of_replies_is_arranged_without_recursion():
    nodes = [threads.Node(1, None, True)] + [threads.Node(n, n - 1, True) for n in range(2, 5000)]
    placed = threads.arrange(nodes, max_depth=5)
    assert len(placed) == 4999 and max(p.depth for p in placed) == 5
    opened = sum(p.opens for p in placed)
    assert opened == sum(p.closes for p in placed) == 5
