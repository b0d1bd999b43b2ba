"""Generations per page group (site, listings, one per post) replace the one site generation.

The old number carries over to `site` and `listings`, so Last-Modified never goes back.
"""

import django.utils.timezone
from django.db import migrations, models


def _carry_over(apps, schema_editor):
    old = apps.get_model("blog", "SiteGeneration").objects.filter(pk=1).first()
    if old is None:
        return
    new = apps.get_model("blog", "PageGeneration")
    for name in ("site", "listings"):
        new.objects.create(name=name, value=old.value, changed_at=old.changed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0010_editors_view_unpublished"),
    ]

    operations = [
        migrations.CreateModel(
            name="PageGeneration",
            fields=[
                ("name", models.CharField(max_length=300, primary_key=True, serialize=False)),
                ("value", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(_carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="SiteGeneration",
        ),
    ]
