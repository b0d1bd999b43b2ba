"""The `editor` group may see unpublished posts at their address (the desk's preview).

Permissions are created after all migrations run (post_migrate), so this one creates the
permission it grants; the group is created if the desk's migration has not run yet.
"""

from django.db import migrations

EDITOR_GROUP = "editor"
CODENAME = "view_unpublished"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    post_type, _ = ContentType.objects.get_or_create(app_label="blog", model="post")
    permission, _ = Permission.objects.get_or_create(
        content_type=post_type,
        codename=CODENAME,
        defaults={"name": "Can see drafts, scheduled and private posts at their address"},
    )
    editors, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    editors.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="blog", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0009_revisions_and_unpublished_view"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
