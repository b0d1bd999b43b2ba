"""`dateline export wxr|blogger [-o FILE]`: the whole blog in WordPress's or Blogger's format."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dateline.core.management.checks import require_migrated
from dateline.porting.exporting import FORMATS, export


class Command(BaseCommand):
    help = (
        "Write every post, page, label and comment thread as WordPress WXR 1.2 or Blogger's "
        "legacy Atom backup (approved comments only: that dialect has no comment status)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("format", choices=FORMATS)
        parser.add_argument("-o", "--output", type=Path, help="Write here, not standard output.")
        parser.add_argument(
            "--site-url",
            default="http://localhost",
            help="The site's address, for the posts' links (default http://localhost).",
        )

    def handle(self, *args: Any, format: str, output: Path | None, **options: Any) -> None:
        require_migrated()
        if output is None:
            # The stream itself: Django's wrapper would end every piece with a newline.
            try:
                export(format, sys.stdout, site_url=options["site_url"])
                sys.stdout.flush()
            except BrokenPipeError:  # `dateline export wxr | head`
                sys.stderr.close()
            return
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8") as out:
                count = export(format, out, site_url=options["site_url"])
            partial.replace(output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"{output}: {error.strerror or error}") from error
        print(f"wrote {count} posts and pages to {output}", file=sys.stderr)
