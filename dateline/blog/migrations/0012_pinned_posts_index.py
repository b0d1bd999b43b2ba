"""The home page's pinned posts found through a partial index (decision 0068)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0011_page_generations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                condition=models.Q(("sticky", True)),
                fields=["status", "kind", "-published_at", "-id"],
                name="blog_post_pinned",
            ),
        ),
    ]
