"""Template helpers of the public site."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django import template
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Inside <script>, "</script>" or "<!--" in a value would end or confuse the element; JSON allows
# these characters escaped, so nothing a headline contains can break out.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def ld_json(value: Any) -> SafeString:
    """JSON for a <script type="application/ld+json"> element's text."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_SAFE))


@register.simple_tag
def asset(path: str) -> str:
    """The URL of a static file: hashed once `collectstatic` has run (as `dateline serve` does),
    plain before that (tests, a fresh checkout) instead of failing the whole page."""
    try:
        return staticfiles_storage.url(path)
    except ValueError:  # no manifest entry yet: the file is served unhashed by the finders
        return settings.STATIC_URL + path


@register.filter
def machine_time(value: datetime | None) -> str:
    """A time for a `datetime` attribute: ISO 8601 to the second (HTML allows at most three
    decimals, Django's "c" format writes six), in the site's time zone."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
