"""The desk's two groups; staff users who used the desk before keep it as editors."""

from django.db import migrations

EDITOR_GROUP = "editor"
MODERATOR_GROUP = "moderator"


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    Group.objects.get_or_create(name=MODERATOR_GROUP)
    # Until now `is_staff` alone opened the desk: those users keep what they had.
    for user in User.objects.filter(is_staff=True, is_superuser=False):
        user.groups.add(editors)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[EDITOR_GROUP, MODERATOR_GROUP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
