"""The inbox's count in the desk's navigation, on every desk page (one query, only where used)."""

from django import template

from dateline.desk.models import UpdateSuggestion

register = template.Library()


@register.simple_tag
def inbox_count() -> int:
    return UpdateSuggestion.objects.pending().count()
