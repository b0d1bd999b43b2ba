from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dateline.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.blog import hooks
        from dateline.comments import notifications, services
        from dateline.comments.sections import comment_section, count_approved
        from dateline.core import jobs

        hooks.register_post_section(comment_section)
        hooks.register_post_counter(
            count_approved, singular="comment", plural="comments", anchor="comments"
        )
        jobs.register(
            "comments.send_mail",
            notifications.send_due,
            help="Send the comment notifications waiting in the outbox, retrying with backoff.",
        )
        jobs.register(
            "comments.forget_addresses",
            services.forget_client_details,
            help="Forget commenters' hashed addresses and user agents after the retention period.",
        )
