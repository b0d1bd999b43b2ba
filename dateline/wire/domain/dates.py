"""Reading the dates feeds really carry into aware UTC datetimes.

Feeds say "Tue, 10 Jun 2003 04:00:00 GMT" (RFC 822, with every variation: no weekday, two-digit
years, named or military zones, no seconds), "2003-06-10T04:00:00Z" (ISO 8601 / W3C-DTF, also
partial: "2003-06"), "Sun Jan  4 16:29:06 2004" (asctime) or a month name in another language
("10 juin 2003", "10. Juni 2003"). ``parse_date`` returns None for anything it cannot read
with confidence: an unknown date is better than a wrong one. A date with no zone at all is taken
as UTC, which is what RFC 822 readers have always done; an unrecognised zone name makes the date
unknown instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# Month names and abbreviations, lower-case, without trailing dots. English first, then the
# languages news feeds in our corpus use most (de, fr, es, it, pt, nl, and a few more).
_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "jan january januar janvier enero gennaio janeiro januari janv ene gen jänner sty",
        "feb february februar février fevrier febrero febbraio fevereiro februari févr fevr fév",
        "mar march märz maerz mars marzo março maart mär mrz",
        "apr april avril abril aprile avr",
        "may mai mayo maggio maio mei mag",
        "jun june juni juin junio giugno junho jui giu",
        "jul july juli juillet julio luglio julho juil lug",
        "aug august août aout agosto augustus ago aoû",
        "sep sept september septembre septiembre settembre setembro set",
        "oct october oktober octobre octubre ottobre outubro okt ott out",
        "nov november novembre noviembre novembro",
        "dec december dezember décembre decembre diciembre dicembre dezembro dic dez déc",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_ZONES: dict[str, int] = {  # minutes east of UTC
    "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 60, "ist": 330, "cet": 60,
    "cest": 120, "met": 60, "mest": 120, "eet": 120, "eest": 180, "msk": 180, "jst": 540,
    "kst": 540, "hkt": 480, "sgt": 480, "aest": 600, "aedt": 660, "acst": 570, "awst": 480,
    "nzst": 720, "nzdt": 780, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480,
    "hst": -600, "ast": -240, "adt": -180, "nst": -210, "ndt": -150,
}  # fmt: skip
# RFC 822 military zones: A..I, K..M east (+1..+12), N..Y west (-1..-12); Z is UTC above.
for _index, _letter in enumerate("abcdefghiklm", start=1):
    _ZONES.setdefault(_letter, _index * 60)
for _index, _letter in enumerate("nopqrstuvwxy", start=1):
    _ZONES.setdefault(_letter, -_index * 60)

_NUMERIC_ZONE = r"[+-]\d{1,2}(?::?\d{2})?"
_ZONE = rf"(?P<zone>{_NUMERIC_ZONE}|[A-Za-z]{{1,5}}(?:{_NUMERIC_ZONE})?)"
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
_AMPM = r"(?:\s*(?P<ampm>[ap]\.?m\.?))?"

_RFC822 = re.compile(
    r"^(?:[^\W\d_]+\.?,?\s*)?"  # weekday, any language
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?[\s-]+(?:de\s+)?"
    r"(?P<month>[^\W\d_]+)\.?,?[\s-]+(?:de\s+)?"
    r"(?P<year>\d{4}|\d{2})"
    rf"(?:(?:\s+|T|,\s*|\s+(?:at|um|à|a las)\s+){_TIME}{_AMPM})?"
    rf"(?:\s*{_ZONE})?\s*(?:\([^)]*\))?$",
    re.IGNORECASE,
)
# "Jan 4, 2004 16:29", "June 10 2003 4:00 PM EST", asctime "Sun Jan  4 16:29:06 2004".
_MONTH_FIRST = re.compile(
    r"^(?:[^\W\d_]+\.?,?\s+)?"
    r"(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    rf"(?:(?P<year>\d{{4}})(?:,?\s+(?:at\s+)?{_TIME}{_AMPM})?"
    rf"|{_TIME.replace('P<', 'P<a_')}\s+(?P<a_year>\d{{4}}))"
    rf"(?:\s*{_ZONE})?\s*$",
    re.IGNORECASE,
)
# W3C-DTF and other ISO 8601 shapes Python's fromisoformat does not take (partial dates,
# basic format, a zone written "+0100" or "UTC", a space before the zone).
_ISO8601 = re.compile(
    r"^(?P<year>\d{4})(?:-?(?P<month>\d{2})(?:-?(?P<day>\d{2}))?)?"
    r"(?:[T\s]+(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?)?"
    rf"\s*(?P<zone>Z|UTC|GMT|{_NUMERIC_ZONE})?$",
    re.IGNORECASE,
)
_ISO_ORDINAL = re.compile(r"^(?P<year>\d{4})-?(?P<yday>\d{3})$")


# Nothing was published in a feed before the web: an earlier date is a placeholder a generator
# wrote for "no date", such as Go's zero time ("Mon, 01 Jan 0001 00:00:00 +0000", which Hugo sites
# put on undated pages), Unix's 1970-01-01 or a spreadsheet's 1900-01-01.
EARLIEST_FEED_DATE = datetime(1990, 1, 1, tzinfo=UTC)


def parse_date(text: str | None) -> datetime | None:
    """Returns the moment ``text`` names as an aware UTC datetime, or None if unreadable or a
    placeholder (before ``EARLIEST_FEED_DATE``)."""
    if not text:
        return None
    text = " ".join(text.split())
    if not text or len(text) > 100:
        return None
    moment = _from_iso(text) if text[0].isdigit() and text[:4].isdigit() else _from_words(text)
    return None if moment is None or moment < EARLIEST_FEED_DATE else moment


def _from_iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if len(text) >= 10:  # fromisoformat also reads "20030610", which is fine, not "2003"
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return _utc(moment)
    match = _ISO8601.match(text)
    if match is not None:
        fraction = match["fraction"] or ""
        return _build(
            year=match["year"],
            month=match["month"] or "1",
            day=match["day"] or "1",
            hour=match["hour"],
            minute=match["minute"],
            second=match["second"],
            microsecond=int((fraction + "000000")[:6]) if fraction else 0,
            zone=match["zone"],
        )
    match = _ISO_ORDINAL.match(text)
    if match is not None:
        year, yday = int(match["year"]), int(match["yday"])
        if 1 <= yday <= 366:
            try:
                start = datetime(year, 1, 1, tzinfo=UTC)
            except ValueError:
                return None
            moment = start + timedelta(days=yday - 1)
            return moment if moment.year == year else None
        return None
    return _from_words(text)


def _from_words(text: str) -> datetime | None:
    match = _RFC822.match(text)
    if match is not None:
        return _build(
            year=match["year"],
            month=match["month"],
            day=match["day"],
            hour=match["hour"],
            minute=match["minute"],
            second=match["second"],
            ampm=match["ampm"],
            zone=match["zone"],
        )
    match = _MONTH_FIRST.match(text)
    if match is not None:
        asctime = match["a_year"] is not None
        prefix = "a_" if asctime else ""
        return _build(
            year=match[prefix + "year"],
            month=match["month"],
            day=match["day"],
            hour=match[prefix + "hour"],
            minute=match[prefix + "minute"],
            second=match[prefix + "second"],
            ampm=None if asctime else match["ampm"],
            zone=match["zone"],
        )
    return None


def _build(
    *,
    year: str,
    month: str,
    day: str,
    hour: str | None,
    minute: str | None,
    second: str | None,
    zone: str | None,
    microsecond: int = 0,
    ampm: str | None = None,
) -> datetime | None:
    month_number = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
    if month_number is None:
        return None
    year_number = int(year)
    if len(year) == 2:  # RFC 822 two-digit years: 00-68 are 2000s, 69-99 the 1900s (POSIX)
        year_number += 2000 if year_number < 69 else 1900
    hour_number = int(hour) if hour else 0
    if ampm:
        meridiem = ampm.lower().replace(".", "")
        if not 1 <= hour_number <= 12:
            return None
        hour_number = hour_number % 12 + (12 if meridiem == "pm" else 0)
    offset = _zone_offset(zone)
    if offset is None:
        return None
    try:
        moment = datetime(
            year_number,
            month_number,
            int(day),
            hour_number,
            int(minute) if minute else 0,
            min(int(second), 59) if second else 0,  # leap second 60 -> 59, not an error
            microsecond,
            tzinfo=timezone(timedelta(minutes=offset)),
        )
    except (ValueError, OverflowError):
        return None
    return _utc(moment)


def _zone_offset(zone: str | None) -> int | None:
    """Minutes east of UTC for a zone as feeds write it, or None if unknown."""
    if not zone:
        return 0
    zone = zone.strip()
    sign_at = max(zone.find("+"), zone.find("-"))
    if sign_at > 0:  # "GMT+2", "UTC-05:00": a named base plus an offset
        base = _ZONES.get(zone[:sign_at].lower())
        rest = _zone_offset(zone[sign_at:])
        return None if base is None or rest is None else base + rest
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        if not digits.isdigit():
            return None
        if len(digits) <= 2:
            hours, minutes = int(digits), 0
        else:
            hours, minutes = int(digits[:-2]), int(digits[-2:])
        if hours > 14 or minutes > 59:
            return None
        total = hours * 60 + minutes
        return -total if zone[0] == "-" else total
    return _ZONES.get(zone.lower())


def _utc(moment: datetime) -> datetime | None:
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
