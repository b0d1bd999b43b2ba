from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "dateline.stories"
    label = "stories"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.core import jobs
        from dateline.stories import services

        jobs.register(
            "stories.cluster",
            services.cluster_new_articles,
            help="Assign newly arrived articles to stories.",
        )
        # The wire keeps the articles of open stories when it prunes old ones.
        from dateline.stories.models import StoryArticle
        from dateline.wire import retention

        retention.register_keeper(
            "stories.open",
            lambda: StoryArticle.objects.filter(story__closed=False).values("article_id"),
        )
