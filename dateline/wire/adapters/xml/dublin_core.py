"""Dublin Core (dc: and dcterms:): the names it gives to what feeds already say.

A Dublin Core element stands in for the format's own where that is missing: ``title`` wins over
``dc:title`` wherever each stands (see ``reading.Children.pick``). The aliases are named here;
the fields are read with the format's own, in ``common``. Only ``dcterms:valid`` is its own.
"""

from __future__ import annotations

from dateline.wire.adapters.xml.reading import Children
from dateline.wire.adapters.xml.text import Dated, plain
from dateline.wire.domain.dates import parse_date

TITLE = "dc:title"
DESCRIPTION = "dc:description"
RIGHTS = ("dc:rights", "dcterms:rights")
IDENTIFIER = "dc:identifier"
PUBLISHED = ("dcterms:issued",)
UPDATED = ("dc:date", "dcterms:modified")
CREATED = ("dcterms:created",)
AUTHORS = ("dc:creator", "dc:author")
CONTRIBUTOR = "dc:contributor"
PUBLISHER = "dc:publisher"
SUBJECT = "dc:subject"
LANGUAGE = "dc:language"


def valid_period(children: Children) -> tuple[Dated | None, Dated | None]:
    """dcterms:valid, a DCMI Period: "start=2002-10-13T09:00+01:00; end=...; scheme=W3C-DTF"."""
    start: Dated | None = None
    end: Dated | None = None
    for element in children.all("dcterms:valid"):
        for part in plain(element).split(";"):
            name, _, value = part.partition("=")
            name, value = name.strip().lower(), value.strip()
            if value and name == "start":
                start = (parse_date(value), value)
            elif value and name == "end":
                end = (parse_date(value), value)
    return start, end
