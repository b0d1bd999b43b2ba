from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "dateline.blog"
    label = "blog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.blog import services
        from dateline.core import jobs

        jobs.register(
            "blog.publish",
            services.publish_scheduled,
            help="Publish scheduled posts whose time has come.",
        )
        # The wire keeps every article a post cites when it prunes old ones.
        from dateline.blog.models import PostPart
        from dateline.wire import retention

        retention.register_keeper(
            "blog.citations",
            lambda: PostPart.objects.filter(article__isnull=False).values("article_id"),
        )
