"""The demo site's content, written for Dateline. Outlets and their reporting are fictional."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoOutlet:
    name: str
    home_url: str
    country: str
    language: str
    feed_url: str
    feed_file: str  # under dateline/demo/feeds/


@dataclass(frozen=True, slots=True)
class DemoComment:
    author_name: str  # empty: anonymous
    body: str
    approved: bool


@dataclass(frozen=True, slots=True)
class DemoPost:
    slug: str
    headline: str
    dateline_place: str
    labels: tuple[str, ...]
    # The article quoted, by its feed's outlet name and its guid.
    cited_outlet: str
    cited_guid: str
    commentary: str
    # An "Update:" line citing another outlet's article (outlet, guid, text), or None.
    update: tuple[str, str, str] | None
    comments: tuple[DemoComment, ...] = ()


OUTLETS = (
    DemoOutlet(
        "The Harbour Courier",
        "https://harbour-courier.example/",
        "GB",
        "en",
        "https://harbour-courier.example/world/rss.xml",
        "harbour-courier.rss.xml",
    ),
    DemoOutlet(
        "Meridian Post",
        "https://meridian-post.example/",
        "US",
        "en",
        "https://meridian-post.example/international/feed.atom",
        "meridian-post.atom.xml",
    ),
    DemoOutlet(
        "Nordic Daily",
        "https://nordic-daily.example/",
        "IS",
        "en",
        "https://nordic-daily.example/rss",
        "nordic-daily.rss.xml",
    ),
    DemoOutlet(
        "Nile Valley Times",
        "https://nile-valley-times.example/",
        "EG",
        "en",
        "https://nile-valley-times.example/africa/rss",
        "nile-valley-times.rss.xml",
    ),
)

POSTS = (
    DemoPost(
        slug="danube-record-low-barges-stranded",
        headline="Danube at record low: barges stranded between Budapest and Vienna",
        dateline_place="BUDAPEST, Hungary",
        labels=("Europe", "Climate"),
        cited_outlet="The Harbour Courier",
        cited_guid="hc-danube-low",
        commentary="I have doubts that the shipping companies can simply wait this out. Watch "
        "rail freight prices on the Budapest-Vienna corridor: they will tell us how long this "
        "lasts.",
        update=(
            "Nordic Daily",
            "https://nordic-daily.example/news/danube-vienna-grain",
            "Vienna's port has stopped loading grain on to barges.",
        ),
        comments=(
            DemoComment(
                "Marta",
                "Rail cannot take this volume. The 2022 low cost farmers weeks of exports.",
                approved=True,
            ),
            DemoComment("", "Same thing every autumn now and nobody plans for it.", approved=True),
            DemoComment("", "FAKE NEWS the river is fine I was there", approved=False),
        ),
    ),
    DemoPost(
        slug="reykjanes-erupts-again",
        headline="Reykjanes volcano erupts again; lava heads for Grindavik's walls",
        dateline_place="GRINDAVIK, Iceland",
        labels=("Iceland", "Volcanoes"),
        cited_outlet="Meridian Post",
        cited_guid="tag:meridian-post.example,2026:reykjanes",
        commentary="The earth walls have now been tested more often than anyone planned. The "
        "question is whether Grindavik is still a town or a monitored site.",
        update=(
            "Nordic Daily",
            "https://nordic-daily.example/news/reykjanes-barriers-hold",
            "The barriers diverted the main lava flow overnight; one road was cut.",
        ),
    ),
    DemoPost(
        slug="kenya-ethiopia-power-deal",
        headline="Kenya to double power imports from Ethiopia",
        dateline_place="ADDIS ABABA, Ethiopia",
        labels=("Africa", "Energy"),
        cited_outlet="Nile Valley Times",
        cited_guid="nvt-power-deal",
        commentary="Cheap hydropower for Nairobi, hard currency for Addis. The line's "
        "reliability, not the price, is what Kenyan industry will judge it by.",
        update=None,
    ),
)
