from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "dateline.desk"
    label = "desk"
    default_auto_field = "django.db.models.BigAutoField"
