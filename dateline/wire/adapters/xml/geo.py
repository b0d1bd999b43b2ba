"""Where an entry is: GeoRSS (simple and GML), GML itself, and W3C Basic Geo (geo:lat/long).

``where`` gives one ``Geometry`` in GeoJSON axis order, or ``UNREADABLE_GEOMETRY`` when a shape
element's coordinates cannot be read, or None when the entry says nothing about a place.
"""

from __future__ import annotations

import re

from lxml import etree

from dateline.wire.adapters.xml.namespaces import local_name
from dateline.wire.adapters.xml.reading import Children
from dateline.wire.adapters.xml.text import integer, plain
from dateline.wire.domain.records import UNREADABLE_GEOMETRY, Geometry

_VOCABULARIES = frozenset({"georss", "gml", "geo"})
_GML_SHAPES = frozenset({"gml:point", "gml:linestring", "gml:polygon", "gml:envelope"})


def where(children: Children) -> Geometry | None:
    """The last shape the element's children give; W3C geo's point when they give none."""
    found: Geometry | None = None
    latitude: float | None = None
    longitude: float | None = None
    if children.vocabularies.isdisjoint(_VOCABULARIES):
        return None
    for key, element in children.ordered:
        if key.startswith("georss:"):
            shape = _georss(key, element)
            if shape is not None:
                found = shape
            elif found is None and key in _GEORSS_SHAPES:
                found = UNREADABLE_GEOMETRY
        elif key in _GML_SHAPES:
            shape = _gml(element)
            if shape is not None:
                found = shape
        elif key in ("geo:lat", "geo:long", "geo:lon"):
            try:
                value = float(plain(element))
            except ValueError:
                continue
            if key == "geo:lat":
                latitude = value
            else:
                longitude = value
    if found in (None, UNREADABLE_GEOMETRY) and latitude is not None and longitude is not None:
        return Geometry("Point", (longitude, latitude))
    return found


def _floats(text: str) -> list[float] | None:
    try:
        return [float(part) for part in text.replace(",", " ").split()]
    except ValueError:
        return None


def _pairs(
    numbers: list[float], swap: bool = True, dimension: int = 2
) -> tuple[tuple[float, ...], ...] | None:
    """GeoRSS writes 'lat lon'; records keep GeoJSON order (lon, lat), height last."""
    if dimension not in (2, 3) or len(numbers) % dimension:
        return None
    positions = [tuple(numbers[i : i + dimension]) for i in range(0, len(numbers), dimension)]
    if swap:
        return tuple((p[1], p[0], *p[2:]) for p in positions)
    return tuple(positions)


# Reference systems whose axes are latitude, then longitude (EPSG 4326 and its 3D 4979, the
# GeoRSS default); any other srsName is a projection whose axes stay as written.
_LATITUDE_FIRST = re.compile(r"(?:EPSG:+(?:[\d.]+:)?(?:4326|4979)|WGS ?84)$", re.IGNORECASE)


_GEORSS_SHAPES = frozenset(
    {"georss:point", "georss:line", "georss:polygon", "georss:box", "georss:where"}
)


def _georss(key: str, element: etree._Element) -> Geometry | None:
    if key in ("georss:point", "georss:line", "georss:polygon", "georss:box"):
        numbers = _floats(plain(element))
        if not numbers:
            return None
        pairs = _pairs(numbers)
        if pairs is None:
            return None
        if key == "georss:point":
            return Geometry("Point", pairs[0]) if len(pairs) == 1 else None
        if key == "georss:line":
            return Geometry("LineString", pairs) if len(pairs) >= 2 else None
        if key == "georss:box":
            return Geometry("Box", pairs) if len(pairs) == 2 else None
        if len(pairs) < 4 or pairs[0] != pairs[-1]:
            return None
        return Geometry("Polygon", (pairs,))
    if key == "georss:where":
        for child in element.iter():
            if not isinstance(child.tag, str):
                continue
            shape = _gml(child)
            if shape is not None:
                return shape
    return None


def _gml(element: etree._Element) -> Geometry | None:
    local = local_name(element.tag)
    if local not in ("point", "linestring", "polygon", "envelope"):
        return None
    srs_name = element.get("srsName")
    swap = srs_name is None or _LATITUDE_FIRST.search(srs_name.strip()) is not None
    dimension = integer(element.get("srsDimension")) or 2
    positions: list[float] = []
    for child in element.iter():
        if not isinstance(child.tag, str):
            continue
        child_local = local_name(child.tag)
        if child_local in ("pos", "poslist", "lowercorner", "uppercorner", "coordinates"):
            numbers = _floats(plain(child))
            if numbers is None:
                return None
            positions.extend(numbers)
    pairs = _pairs(positions, swap, dimension)
    if not pairs:
        return None
    if local == "point":
        return Geometry("Point", pairs[0]) if len(pairs) == 1 else None
    if local == "linestring":
        return Geometry("LineString", pairs) if len(pairs) >= 2 else None
    if local == "envelope":
        return Geometry("Box", pairs) if len(pairs) == 2 else None
    if len(pairs) < 4 or pairs[0] != pairs[-1]:
        return None
    return Geometry("Polygon", (pairs,))
