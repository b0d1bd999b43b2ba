from django.apps import AppConfig


class WireConfig(AppConfig):
    name = "dateline.wire"
    label = "wire"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.core import jobs
        from dateline.wire import services

        jobs.register(
            "wire.poll",
            services.poll_job,
            help="Poll the feeds that are due and store new articles.",
        )
