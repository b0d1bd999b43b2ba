from django.apps import AppConfig


class PortingConfig(AppConfig):
    name = "dateline.porting"
    label = "porting"
    default_auto_field = "django.db.models.BigAutoField"
