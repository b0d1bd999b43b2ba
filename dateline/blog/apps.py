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
        # Posts follow their story when it is merged into another, whoever merged it.
        from dateline.stories.signals import stories_merged

        stories_merged.connect(_follow_story_merge, dispatch_uid="blog.follow_story_merge")

        # The wire keeps every article a post cites when it prunes old ones.
        from dateline.blog.models import PostPart
        from dateline.wire import retention

        retention.register_keeper(
            "blog.citations",
            lambda: PostPart.objects.filter(article__isnull=False).values("article_id"),
        )


def _follow_story_merge(
    sender: object, *, keep: object, absorbed: object, **kwargs: object
) -> None:
    from dateline.blog import services

    services.follow_story_merge(keep, absorbed)  # type: ignore[arg-type]
