"""What the desk's chrome asks of the signed-in user: which parts of the desk to offer."""

from __future__ import annotations

from typing import Any

from django import template

from dateline.desk.access import can_edit as _can_edit
from dateline.desk.access import can_moderate as _can_moderate

register = template.Library()


@register.filter
def can_edit(user: Any) -> bool:
    return _can_edit(user)


@register.filter
def can_moderate(user: Any) -> bool:
    return _can_moderate(user)
