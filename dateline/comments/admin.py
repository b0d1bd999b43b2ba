from django.contrib import admin

from dateline.comments.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["display_name", "post", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["post"]
    search_fields = ["body", "author_name"]
