"""Why an article is in its story, kept with each assignment and told to the editor in plain words.

The clusterer decides from a probability over a dozen features; an editor checking a story needs
less: how sure it was, which article it matched, and what the two share ("joined: 0.82 with
'Quake hits southern Turkey' — shared: Turkey, Kahramanmaraş, earthquake"). The same record
travels with an editor's correction into the training pairs, so a wrong join can be traced to
what misled it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dateline.stories.domain.records import AssignmentReason, ReasonKind

# Shared names and words kept per reason: enough to recognise the event.
SHARED_SHOWN = 6
_TITLE_SHOWN = 70


def closest_member(
    vector: Mapping[str, float], members: Iterable[tuple[str, Mapping[str, float]]]
) -> tuple[str | None, float]:
    """The member whose term vector is closest to ``vector`` (cosine of unit vectors), and how."""
    best_id: str | None = None
    best = -1.0
    for article_id, other in members:
        small, large = (vector, other) if len(vector) <= len(other) else (other, vector)
        similarity = sum(w * large.get(t, 0.0) for t, w in small.items())
        if similarity > best:
            best_id, best = article_id, similarity
    return best_id, max(best, 0.0)


def shared_terms(
    mine: Mapping[str, float],
    my_entities: Mapping[str, float],
    theirs: Mapping[str, float],
    their_entities: Iterable[str],
    limit: int = SHARED_SHOWN,
) -> tuple[str, ...]:
    """What an article and a member share: names first (rarest first), then words by weight."""
    their_names = set(their_entities)
    names = sorted((e for e in my_entities if e in their_names), key=lambda e: -my_entities[e])
    out = [name.replace("_", " ") for name in names]
    seen = {part for name in names for part in name.split("_")}
    words = sorted(
        (t for t in mine if t in theirs and t not in seen), key=lambda t: -mine[t] * theirs[t]
    )
    out.extend(words)
    return tuple(out[:limit])


def _quoted(title: str | None) -> str:
    if not title:
        return ""
    cut = title if len(title) <= _TITLE_SHOWN else title[: _TITLE_SHOWN - 1].rstrip() + "…"
    return f" \u2018{cut}\u2019"  # typographic single quotes


def describe(reason: AssignmentReason | None, matched_title: str | None = None) -> str:
    """The reason in an editor's words; ``matched_title`` is the matched article's headline."""
    if reason is None:
        return "placed before the clusterer kept its reasons"
    shared = f" — shared: {', '.join(reason.shared)}" if reason.shared else ""
    if reason.kind is ReasonKind.JOINED:
        matched = _quoted(matched_title) or " an earlier article"
        return f"joined: {reason.score:.2f} with{matched}{shared}"
    if reason.kind is ReasonKind.JOINED_ACROSS_LANGUAGES:
        return (
            f"joined across languages: headlines {reason.score:.2f} alike in meaning, with"
            f"{_quoted(matched_title) or ' an earlier article'}{shared}"
        )
    if reason.kind is ReasonKind.NEW:
        if reason.matched_article is None:
            return "new: no open story shared its rare words"
        return f"new: best candidate {reason.score:.2f}{_quoted(matched_title)}{shared}"
    if reason.kind is ReasonKind.EDITOR:
        return "moved here by an editor"
    return "already in this story when it arrived again"
