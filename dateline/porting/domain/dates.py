"""The times export files write, read as aware UTC datetimes (None when absent or unreadable)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# The blog keeps times between these (an address carries a four-digit year).
_EARLIEST = datetime(1000, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def iso_time(text: str) -> datetime | None:
    """Atom's RFC 3339 times ("2008-04-15T09:28:00.000-07:00", "2016-05-02T08:07:20.392Z")."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return _kept(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def wordpress_time(gmt: str, local: str = "", rfc822: str = "") -> datetime | None:
    """WXR's `post_date_gmt` ("2010-10-16 20:53:18"; "0000-00-00 00:00:00" for a draft never
    saved with a time), else `post_date` (the site's own zone, which the file does not name: read
    as UTC), else RSS's `pubDate`."""
    for text in (gmt, local):
        text = text.strip()
        if text and not text.startswith("0000"):
            try:
                return _kept(datetime.fromisoformat(text).replace(tzinfo=UTC))
            except ValueError:
                continue
    if rfc822.strip():
        try:
            moment = parsedate_to_datetime(rfc822.strip())
        except (TypeError, ValueError, IndexError):
            return None
        if moment is not None:
            return _kept(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return None


def _kept(moment: datetime) -> datetime | None:
    moment = moment.astimezone(UTC)
    return moment if _EARLIEST <= moment <= _LATEST else None
