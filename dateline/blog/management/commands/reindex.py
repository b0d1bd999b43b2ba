from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dateline.blog import search
from dateline.core.management.checks import require_migrated


class Command(BaseCommand):
    help = "Rebuild the search index from the posts (after a restore, an import or a bug)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=search.REBUILD_BATCH,
            help=f"Posts read and written per transaction (default {search.REBUILD_BATCH}).",
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError(f"--batch-size must be 1 or more, not {batch_size}")
        require_migrated()
        report = search.rebuild_index(batch_size=batch_size)
        self.stdout.write(
            f"reindex: {report.posts} posts, {report.written} search documents written"
        )
