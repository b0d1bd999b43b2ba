"""The adaptive spam classifier's memory: naive Bayes counts taught by the moderators' decisions.

The maths is in `domain/bayes.py`; this module reads and writes the counts. A comment is taught
once; a moderator who changes their mind (spam, then "not spam") moves the lesson, so the counts
are always the sum of the current decisions.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from dateline.comments.domain import bayes
from dateline.comments.models import Comment, SpamCorpus, SpamToken

SPAM, HAM = "spam", "ham"


def comment_tokens(*, body: str, author_name: str, url: str) -> frozenset[str]:
    return bayes.tokens(" ".join((body, author_name, url)))


def score(words: frozenset[str]) -> float | None:
    """The probability that a comment with these tokens is spam; None until both kinds of
    lesson exist."""
    corpus = SpamCorpus.objects.filter(pk=1).first()
    if corpus is None or not words:
        return None
    counts = {
        row.token: bayes.Counts(spam=row.spam, ham=row.ham)
        for row in SpamToken.objects.filter(token__in=words)
    }
    return bayes.spam_probability(words, counts, spam_total=corpus.spam, ham_total=corpus.ham)


def teach(comment: Comment, lesson: str) -> None:
    """Teaches the classifier that `comment` is spam or ham, unteaching a previous lesson."""
    if comment.trained_as == lesson:
        return
    words = comment_tokens(body=comment.body, author_name=comment.author_name, url=comment.url)
    with transaction.atomic():
        if comment.trained_as:
            _count(words, comment.trained_as, -1)
        _count(words, lesson, +1)
        comment.trained_as = lesson
        Comment.objects.filter(pk=comment.pk).update(trained_as=lesson)


def _count(words: frozenset[str], lesson: str, step: int) -> None:
    column = SPAM if lesson == SPAM else HAM
    SpamCorpus.objects.get_or_create(pk=1)
    SpamCorpus.objects.filter(pk=1).update(**{column: F(column) + step})
    if step > 0:
        existing = set(SpamToken.objects.filter(token__in=words).values_list("token", flat=True))
        SpamToken.objects.bulk_create(
            [SpamToken(token=word) for word in words - existing], ignore_conflicts=True
        )
    SpamToken.objects.filter(token__in=words).update(**{column: F(column) + step})
