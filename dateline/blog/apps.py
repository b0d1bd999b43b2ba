from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "dateline.blog"
    label = "blog"
    default_auto_field = "django.db.models.BigAutoField"
