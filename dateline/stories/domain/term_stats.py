"""How rare each term is: document frequencies from a shipped background plus the live stream.

The background (``model/background_df.json``) was counted over neus-dev's ``train`` split only
(``scripts/train_story_scorer.py``). Every article the clusterer sees is added as it arrives, as in
a live stream, so a new name ("Randy Fine") becomes informative after it has been seen once and
common after it has been seen everywhere. When a story closes its articles are forgotten again:
the live part counts the open window of the stream, so its memory stays bounded and rarity is
judged against current news.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


class DocumentFrequencies:
    def __init__(self, background: Mapping[str, int] | None = None, documents: int = 0) -> None:
        self._background: Mapping[str, int] = background or {}
        self._background_documents = documents
        self._live: dict[str, int] = {}
        self._live_documents = 0

    @property
    def documents(self) -> int:
        return self._background_documents + self._live_documents

    def add(self, terms: Iterable[str]) -> None:
        """Counts one document; ``terms`` are its distinct terms."""
        self._live_documents += 1
        live = self._live
        for term in terms:
            live[term] = live.get(term, 0) + 1

    def remove(self, terms: Iterable[str]) -> None:
        """Forgets one document counted by ``add`` (its story closed): memory stays bounded."""
        self._live_documents -= 1
        live = self._live
        for term in terms:
            left = live.get(term, 0) - 1
            if left > 0:
                live[term] = left
            else:
                live.pop(term, None)

    def frequency(self, term: str) -> int:
        return self._background.get(term, 0) + self._live.get(term, 0)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency, at least 1.0 and larger for rarer terms."""
        return 1.0 + math.log((self.documents + 1) / (self.frequency(term) + 1))

    @property
    def max_idf(self) -> float:
        """The idf of a term seen in one document only."""
        return 1.0 + math.log((self.documents + 1) / 2)

    @property
    def live_terms(self) -> int:
        return len(self._live)
