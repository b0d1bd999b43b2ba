"""The optional Akismet-compatible check: the one module that speaks its protocol."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

TIMEOUT_SECONDS = 5.0


class AkismetUnavailable(Exception):
    """The service could not answer; the comment waits for a moderator instead."""


@dataclass(frozen=True, slots=True)
class AkismetQuery:
    blog: str
    user_ip: str
    user_agent: str
    permalink: str
    author: str
    author_email: str
    author_url: str
    content: str


def is_spam(endpoint: str, key: str, query: AkismetQuery) -> bool:
    """True when the service says spam. Raises AkismetUnavailable on any failure."""
    url = endpoint.rstrip("/") + "/comment-check"
    data = {
        "api_key": key,
        "blog": query.blog,
        "user_ip": query.user_ip,
        "user_agent": query.user_agent,
        "permalink": query.permalink,
        "comment_type": "comment",
        "comment_author": query.author,
        "comment_author_email": query.author_email,
        "comment_author_url": query.author_url,
        "comment_content": query.content,
    }
    try:
        answer = httpx.post(url, data=data, timeout=TIMEOUT_SECONDS, follow_redirects=False)
    except httpx.HTTPError as error:
        raise AkismetUnavailable(f"{type(error).__name__}") from None
    verdict = answer.text.strip()
    if answer.status_code != 200 or verdict not in ("true", "false"):
        raise AkismetUnavailable(f"answer {answer.status_code} {verdict[:40]!r}")
    return verdict == "true"
