from datetime import UTC, datetime, timedelta

import pytest

from dateline.comments.domain.submission import MAX_BODY, Submission, judge

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def submission(**changes) -> Submission:
    fields = dict(
        author_name="",
        body="A fair point.",
        honeypot="",
        form_rendered_at=NOW - timedelta(minutes=1),
    )
    fields.update(changes)
    return Submission(**fields)


def test_a_person_s_comment_is_accepted():
    assert judge(submission(), now=NOW).accepted


@pytest.mark.parametrize(
    ("changes", "automated"),
    [
        ({"honeypot": "http://spam.example"}, True),
        ({"form_rendered_at": NOW - timedelta(milliseconds=300)}, True),
        ({"form_rendered_at": None}, False),
        ({"form_rendered_at": NOW - timedelta(days=31)}, False),
        ({"body": "   \n "}, False),
        ({"body": "x" * (MAX_BODY + 1)}, False),
        ({"author_name": "n" * 101}, False),
    ],
)
def test_refusals_say_why_and_flag_bots(changes, automated):
    verdict = judge(submission(**changes), now=NOW)
    assert not verdict.accepted
    assert verdict.problem
    assert verdict.looks_automated is automated
