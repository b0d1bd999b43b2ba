"""What the clusterer reads out of an article's words: terms of the headline and of the lead, and
the entity-like tokens (names, places, numbers) that tell one event from its neighbours, and the
latest year the text names (an undated article's approximate date).

Everything here depends on the article alone, so it is computed once, on arrival. Weighting by how
rare a term is (``term_stats``) happens later, because rarity changes as the stream goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Words with their inner apostrophes, dots (U.S.) and digits' separators (1,000 / 3.5).
_TOKEN = re.compile(r"[^\W_](?:[^\W_]|['\u2019.,](?=[^\W_]))*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;\"“”]\s*$")
_DIGIT = re.compile(r"\d")

# Words that say nothing about which event an article is about. Kept short on purpose: rarity
# weighting already silences the common ones, this list only keeps them out of the index.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself amid says say said saying
    told tells new news report reports reported according one two first last year years week
    month day days time mr mrs ms us via may might must shall get gets got make makes made like
    just still even back many much people way well
    """.split()
)

# The lead is the article's first hundred words: what the scorer was trained on (neus-dev's leads
# run to 96) and where a news article says what happened. Later words are background, quotes and,
# in full-text feeds, the outlet's own boilerplate, which would make unrelated articles alike.
LEAD_WORDS = 100
# Characters looked at for those words, generously: the rest of a long text is not even split.
_LONGEST_WORD = 40

# Capitalised but naming no event.
_NOT_NAMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april june "
    "july august september october november december president".split()
)

# A headline in Title Case capitalises most of its words; then capitals say nothing about names.
_TITLE_CASE_SHARE = 0.6

# Years named anywhere in the text, for an undated article's approximate date (not only the lead:
# a long article often gives its year only further down). Not inside a longer figure.
_YEAR_IN_TEXT = re.compile(r"(?<![\w.,])(?:19[5-9]|20[0-9])[0-9](?![\w]|[.,][0-9])")


@dataclass(frozen=True, slots=True)
class ArticleTerms:
    """The article's words as the clusterer uses them (all lowercased and stemmed)."""

    title: Counter[str]
    lead: Counter[str]
    # Names, places, acronyms and numbers, including adjacent name pairs ("john_kerry").
    entities: frozenset[str]
    # The latest year (1950-2099) the headline or the whole text names: an undated article was
    # most likely written then or soon after. None when it names none.
    latest_year: int | None = None


def stem(word: str) -> str:
    """A light suffix stripper: enough that "slams", "slammed" and "slamming" meet."""
    if len(word) <= 3 or _DIGIT.search(word):
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "sses", "xes", "zes")):
                continue
            base = word[: len(word) - len(suffix)] + replacement
            # "slamm" -> "slam", "stopp" -> "stop"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    return word


def _normalise(token: str) -> str:
    word = token.casefold().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if "." in word and not _DIGIT.search(word):
        word = word.replace(".", "")  # "U.S." -> "us" is lost as a stopword; keep the acronym
        return word + "." if len(word) <= 4 else word
    return word.replace(",", "")


def _words(text: str) -> list[tuple[str, str, bool]]:
    """(raw token, normalised term, starts a sentence) for each token of ``text``."""
    out: list[tuple[str, str, bool]] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        before = text[previous_end : match.start()]
        starts_sentence = not out or bool(_SENTENCE_END.search(before))
        out.append((match.group(), _normalise(match.group()), starts_sentence))
        previous_end = match.end()
    return out


def _terms(words: list[tuple[str, str, bool]]) -> Counter[str]:
    return Counter(stem(term) for _, term, _ in words if term not in STOPWORDS and len(term) > 1)


def _is_title_case(words: list[tuple[str, str, bool]]) -> bool:
    long_words = [raw for raw, term, _ in words if len(raw) > 3 and term not in STOPWORDS]
    if not long_words:
        return False
    capitalised = sum(1 for raw in long_words if raw[0].isupper())
    return capitalised / len(long_words) >= _TITLE_CASE_SHARE


def _entities(words: list[tuple[str, str, bool]], trust_capitals: bool) -> set[str]:
    found: set[str] = set()
    previous_name: str | None = None
    for raw, term, starts_sentence in words:
        name: str | None = None
        if _DIGIT.search(term):
            found.add(term)
        elif (
            term not in STOPWORDS
            and term not in _NOT_NAMES
            and len(term) > 1
            and raw[0].isupper()
            # An all-capitals acronym counts even at a sentence start; other capitals only inside.
            and ((raw.isupper() and len(raw) > 1) or (trust_capitals and not starts_sentence))
        ):
            name = stem(term)
        if name is not None:
            found.add(name)
            if previous_name is not None:
                found.add(f"{previous_name}_{name}")
        previous_name = name
    return found


def article_terms(title: str, lead: str) -> ArticleTerms:
    """The terms of the headline and of the first LEAD_WORDS words of ``lead``."""
    title_words = _words(title)
    lead_words = _words(lead[: LEAD_WORDS * _LONGEST_WORD])[:LEAD_WORDS]
    lead_entities = _entities(lead_words, trust_capitals=True)
    title_entities = _entities(title_words, trust_capitals=not _is_title_case(title_words))
    if _is_title_case(title_words):
        # In Title Case only what the lead also names, numbers and acronyms stay.
        title_entities |= {
            stem(term)
            for raw, term, _ in title_words
            if stem(term) in lead_entities or (raw.isupper() and len(raw) > 1)
        }
    years = [int(y) for y in _YEAR_IN_TEXT.findall(title)] + [
        int(y) for y in _YEAR_IN_TEXT.findall(lead)
    ]
    return ArticleTerms(
        title=_terms(title_words),
        lead=_terms(lead_words),
        entities=frozenset(title_entities | lead_entities),
        latest_year=max(years, default=None),
    )
