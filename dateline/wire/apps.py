from django.apps import AppConfig


class WireConfig(AppConfig):
    name = "dateline.wire"
    label = "wire"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.core import jobs
        from dateline.wire import retention, services

        jobs.register_stoppable(
            "wire.poll",
            services.poll_job,
            help="Poll the feeds that are due and store new articles.",
        )
        jobs.register(
            "wire.full_text",
            services.full_text_job,
            help="Fetch the main text of new articles from feeds that ask for it.",
        )
        jobs.register(
            "wire.prune",
            retention.PruneJob(),
            help="Delete old articles that no post cites and no open story needs.",
        )
