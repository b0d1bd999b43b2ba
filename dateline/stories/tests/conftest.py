"""A small wire for the stories tests: outlets in several countries and articles on a few topics.

Articles about one topic share their headline and lead, so any clusterer worth shipping puts them
together; different topics share no words, so none puts them together.
"""

from datetime import UTC, datetime, timedelta

import pytest

from dateline.wire.models import Article, Outlet

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

TOPICS = {
    "quake": (
        "Magnitude 7.1 earthquake strikes Hokkaido, tsunami warning issued",
        "A powerful earthquake shook northern Japan's Hokkaido island on Friday, and the "
        "meteorological agency warned of tsunami waves along the Pacific coast near Kushiro.",
    ),
    "strike": (
        "Dock workers' strike shuts Rotterdam container port",
        "Dockers walked out at dawn in Rotterdam, halting container traffic at Europe's largest "
        "port as unions demanded higher wages from terminal operators.",
    ),
    "vote": (
        "Chile votes in presidential runoff between Kast and Jara",
        "Chileans queued at polling stations in Santiago and Valparaiso to choose their next "
        "president in a runoff between the conservative Kast and the leftist Jara.",
    ),
    "locusts": (
        "Locust swarms devastate wheat harvest across Punjab farms",
        "Desert locusts descended on farms in Punjab, stripping wheat fields bare; farmers "
        "burned tyres and banged drums trying to drive the insects away.",
    ),
}


class Wire:
    def __init__(self) -> None:
        self._outlets: dict[str, Outlet] = {}
        self._count = 0

    def outlet(self, name: str, country: str = "", language: str = "en") -> Outlet:
        if name not in self._outlets:
            self._outlets[name] = Outlet.objects.create(
                name=name, country=country, language=language
            )
        return self._outlets[name]

    def article(
        self, outlet: Outlet, topic: str, *, hours: float = 0.0, language: str = ""
    ) -> Article:
        """An article on `topic` published `hours` after T0."""
        self._count += 1
        title, lead = TOPICS[topic]
        return Article.objects.create(
            outlet=outlet,
            guid=f"{topic}-{self._count}",
            url=f"https://{outlet.name.lower().replace(' ', '-')}.example/{self._count}",
            title=title,
            summary=f"<p>{lead}</p>",
            language=language,
            published_at=T0 + timedelta(hours=hours),
        )


@pytest.fixture
def wire(db) -> Wire:
    return Wire()
