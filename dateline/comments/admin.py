from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from dateline.comments import services
from dateline.comments.models import Comment, ModerationRule


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "post", "status", "kind", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["post"]
    search_fields = ["body", "author_name"]
    # What a person may change by hand; the rendered body follows the source (services).
    fields = ["post", "parent", "status", "author_name", "email", "url", "body", "held_reason"]
    raw_id_fields = ["post", "parent"]

    # Through the services, as the desk's moderation is: an approved comment deleted or edited
    # here must leave the cached post page at once, not when the cache next turns over.
    def save_model(self, request: HttpRequest, obj: Comment, form: ModelForm, change: bool) -> None:
        previous = form.initial.get("status") if change else None
        services.save_edited(obj, previous_status=previous)

    def delete_model(self, request: HttpRequest, obj: Comment) -> None:
        services.delete([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        services.delete(queryset)


@admin.register(ModerationRule)
class ModerationRuleAdmin(admin.ModelAdmin):
    list_display = ["target", "pattern", "action", "created_at"]
    list_filter = ["target", "action"]
