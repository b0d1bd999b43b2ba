"""Blocked words, names, emails and addresses, with `*` wildcards, as moderators write them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Rule:
    target: str  # word | name | email | address | network
    pattern: str
    action: str  # hold | ban | shadow


@dataclass(frozen=True, slots=True)
class Candidate:
    """What rules look at; addresses and networks arrive as keyed hashes, as rules store them."""

    name: str
    email: str
    body: str
    website: str
    address_hash: str
    network_hash: str


# Strongest first: a shadowban beats a ban beats a hold when several rules match.
_STRENGTH = {"shadow": 3, "ban": 2, "hold": 1}


@lru_cache(maxsize=1024)
def _compiled(pattern: str, whole: bool) -> re.Pattern[str]:
    parts = (re.escape(part) for part in pattern.strip().casefold().split("*"))
    body = ".*?".join(parts)
    # A word rule matches inside text at word edges ("viagra" matches "buy viagra now" but not a
    # longer word); a name or email rule matches the whole field.
    return re.compile(f"^{body}$" if whole else rf"(?<!\w){body}(?!\w)", re.DOTALL)


def matches(rule: Rule, candidate: Candidate) -> bool:
    if not rule.pattern.strip():
        return False
    if rule.target == "word":
        text = " ".join((candidate.body, candidate.name, candidate.website)).casefold()
        return _compiled(rule.pattern, False).search(text) is not None
    if rule.target in ("address", "network"):
        value = candidate.address_hash if rule.target == "address" else candidate.network_hash
        return bool(value) and rule.pattern == value
    value = candidate.name if rule.target == "name" else candidate.email
    return bool(value) and _compiled(rule.pattern, True).match(value.strip().casefold()) is not None


def strongest_match(rules: list[Rule], candidate: Candidate) -> Rule | None:
    """The rule that decides the comment's fate, or None when none matches."""
    found = [rule for rule in rules if matches(rule, candidate)]
    return max(found, key=lambda rule: _STRENGTH.get(rule.action, 0), default=None)
