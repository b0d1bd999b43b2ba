"""`dateline import PATH`: a Blogger or WordPress export (or an OPML list of feeds) moved in."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dateline.core.errors import DatelineError
from dateline.core.management.checks import require_migrated
from dateline.porting.importing import import_file


class Command(BaseCommand):
    help = (
        "Import a Blogger export (legacy backup, Takeout feed.atom), a WordPress WXR file or an "
        "OPML list of feeds: posts, pages, labels, comment threads and old addresses."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Read and count; write nothing.")
        parser.add_argument(
            "--json", action="store_true", help="Print the counts as one JSON object last."
        )
        parser.add_argument(
            "--create-users",
            action="store_true",
            help="Make a user account (without a password) for each author, besides bylines.",
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Download the posts' pictures into the blog's storage and link to the copies.",
        )

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        require_migrated()
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        progress = _bar if sys.stderr.isatty() and not options["json"] else None
        try:
            report = import_file(
                path,
                dry_run=options["dry_run"],
                create_users=options["create_users"],
                fetch_images=options["fetch_images"],
                progress=progress,
            )
        except DatelineError as error:
            if self._called_from_command_line and not options.get("traceback"):
                # From the command line the message is the whole line: `file:line:col: message`.
                self.stderr.write(str(error))
                raise SystemExit(1) from None
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            raise CommandError("interrupted: nothing was imported") from None
        if progress is not None:
            sys.stderr.write("\n")
        summary = report.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        for key, value in summary.items():
            self.stdout.write(f"{key}: {value}")


def _bar(done: int, total: int) -> None:
    width = 40
    share = done / total if total else 1.0
    filled = int(width * share)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {share:6.1%}")
    sys.stderr.flush()
