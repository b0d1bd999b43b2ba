"""Rules for a reader's comment submission, without CAPTCHAs.

Two cheap signals stop most bots: a honeypot field people never see (bots fill every field), and a
form that was rendered too recently (bots post at once) or too long ago (a replayed old form). The
form's rendering time travels signed, so it cannot be forged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_NAME = 100
MAX_BODY = 5000
MIN_FILL_TIME = timedelta(seconds=2)
# Public pages are cached whole (the form with them), so a stamp may be as old as the cached page.
MAX_FORM_AGE = timedelta(days=30)
# The same text from the same name on the same post this soon after is the same comment sent
# twice (a double click, or the browser sending the form again when the thank-you page is
# reloaded): it is not stored again.
RESEND_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Submission:
    author_name: str
    body: str
    honeypot: str
    form_rendered_at: datetime | None  # None when the signed stamp is missing or forged


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    # Why not, in words for the person who wrote it.
    problem: str = ""
    # True when the submission looks automated: refuse quietly, keep nothing.
    looks_automated: bool = False


def judge(submission: Submission, *, now: datetime) -> Verdict:
    if submission.honeypot.strip():
        return Verdict(False, "Your comment could not be accepted.", looks_automated=True)
    if submission.form_rendered_at is None:
        return Verdict(False, "The form expired or was damaged: please reload the page and retry.")
    age = now - submission.form_rendered_at
    if age < MIN_FILL_TIME:
        return Verdict(
            False,
            "That was very fast. Please wait a moment and send it again.",
            looks_automated=True,
        )
    if age > MAX_FORM_AGE:
        return Verdict(False, "The form expired: please reload the page and send it again.")
    body = submission.body.strip()
    if not body:
        return Verdict(False, "The comment is empty.")
    if len(body) > MAX_BODY:
        return Verdict(False, f"Please keep comments under {MAX_BODY:,} characters.")
    if len(submission.author_name.strip()) > MAX_NAME:
        return Verdict(False, f"Please keep the name under {MAX_NAME} characters.")
    return Verdict(True)
