from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dateline.comments"
    label = "comments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.blog import hooks
        from dateline.comments.sections import comment_section

        hooks.register_post_section(comment_section)
