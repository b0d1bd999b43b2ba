"""Rules for a reader's comment submission, without CAPTCHAs.

Two cheap signals stop most bots: a honeypot field people never see (bots fill every field), and a
form that was rendered too recently (bots post at once) or too long ago (a replayed old form). The
form's rendering time travels signed, so it cannot be forged.
"""

from __future__ import annotations

import re
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


MAX_EMAIL = 254  # RFC 5321's limit on a path
MAX_URL = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# C0 and C1 controls other than tab and line breaks: never stored, never echoed back.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FIELD_LABELS = {"author_name": "Name", "email": "Email", "url": "Website", "body": "Comment"}


@dataclass(frozen=True, slots=True)
class Submission:
    author_name: str
    body: str
    honeypot: str
    form_rendered_at: datetime | None  # None when the signed stamp is missing or forged
    email: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    # Why not, in words for the person who wrote it.
    problem: str = ""
    # True when the submission looks automated: refuse quietly, keep nothing.
    looks_automated: bool = False
    # The form field the problem is in ("" when it is the whole form).
    field: str = ""


def nul_problem(field: str, value: str) -> Verdict | None:
    """A field holding NUL is refused, naming the field, never echoing the character. Other
    controls come with pasted text and are dropped quietly; NUL never does: text holding one was
    damaged or forged, and what the reader meant cannot be guessed."""
    if "\x00" not in value:
        return None
    label = FIELD_LABELS.get(field, field)
    return Verdict(
        False,
        f"The {label.lower()} field contains a NUL character (U+0000), which text cannot "
        "hold. It was removed below: please check the text and send it again.",
        field=field,
    )


def without_controls(value: str) -> str:
    return _CONTROL.sub("", value)


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
        return Verdict(False, "The comment is empty.", field="body")
    if len(body) > MAX_BODY:
        return Verdict(False, f"Please keep comments under {MAX_BODY:,} characters.", field="body")
    if len(submission.author_name.strip()) > MAX_NAME:
        return Verdict(
            False, f"Please keep the name under {MAX_NAME} characters.", field="author_name"
        )
    email = submission.email.strip()
    if email and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
        return Verdict(
            False,
            "That is not an email address (leave it empty if you like).",
            field="email",
        )
    url = submission.url.strip()
    if url and (len(url) > MAX_URL or not url.lower().startswith(("http://", "https://"))):
        return Verdict(
            False,
            "Give an address starting with http:// or https:// (or leave it empty).",
            field="url",
        )
    return Verdict(True)
