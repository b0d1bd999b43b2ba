from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "dateline.desk"
    label = "desk"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dateline.desk import suggestions
        from dateline.stories.signals import story_updated
        from dateline.wire import retention

        story_updated.connect(suggestions.suggest_updates, dispatch_uid="desk.suggest_updates")
        # An article waiting in the inbox is kept until the editor decides: accepting cites it.
        retention.register_keeper("desk.suggestions", suggestions.articles_waiting)
