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
