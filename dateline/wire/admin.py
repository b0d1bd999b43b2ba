from django.contrib import admin

from dateline.wire.models import Article, Feed, Outlet


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "language"]
    search_fields = ["name"]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["url", "outlet", "active", "last_fetched_at", "next_poll_at"]
    list_select_related = ["outlet"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published_at"]
    list_select_related = ["outlet"]
    search_fields = ["title"]
