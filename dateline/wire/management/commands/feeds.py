"""`dateline feeds add|list|import-opml|export-opml`: the outlets' feeds from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dateline.core.errors import DatelineError
from dateline.core.management.checks import require_migrated
from dateline.wire import services
from dateline.wire.domain.text import terminal_safe


class Command(BaseCommand):
    help = "Follow feeds (by feed or site URL, or from OPML), list them, export them as OPML."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        add = actions.add_parser(
            "add",
            help="Follow a feed URL, or a site URL whose page links to its feeds.",
            description="Follow a feed URL, or a site URL whose page links to its feeds.",
        )
        add.add_argument("url")
        add.add_argument("--outlet", default="", help="The outlet's name (default: feed title).")
        add.add_argument(
            "--full-text",
            action="store_true",
            help="Fetch each new article's page and keep its main text (summary-only feeds).",
        )
        actions.add_parser("list", help="List the feeds followed, with their polling health.")
        importing = actions.add_parser("import-opml", help="Follow every feed of an OPML file.")
        importing.add_argument("file", type=Path)
        exporting = actions.add_parser("export-opml", help="Write the feeds followed as OPML.")
        exporting.add_argument(
            "-o", "--output", type=Path, help="Write to this file instead of standard output."
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        require_migrated()
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except DatelineError as error:
            # Bad URLs, unreachable sites, not-a-feed pages, broken OPML: one line, exit 1.
            raise CommandError(str(error)) from error

    def _say(self, line: str) -> None:
        # Titles, outlets' names and errors come from feeds: control characters are shown.
        self.stdout.write(terminal_safe(line))

    def _add(self, *, url: str, outlet: str, full_text: bool, **options: Any) -> None:
        added = services.add_from_url(url, outlet_name=outlet)
        feed = services.set_full_text(added.feed, True) if full_text else added.feed
        self._say(f"following {feed.url} ({feed.outlet.name}), feed #{feed.pk}")
        for other in added.alternatives:
            self._say(f"  the page also names: {other.url} {other.title}".rstrip())

    def _list(self, **options: Any) -> None:
        health = services.feed_health()
        if not health:
            self.stdout.write("no feeds followed yet: `dateline feeds add URL`")
            return
        for feed in health:
            if not feed.active:
                state = f"stopped: {feed.stopped_reason}"
            elif feed.error_count:
                state = f"{feed.error_count} errors: {feed.last_error}"
            elif feed.last_status is None:
                state = "not polled yet"
            else:
                state = f"ok ({feed.last_status})"
            rate = "" if feed.entries_per_day is None else f", {feed.entries_per_day:.1f}/day"
            self._say(f"#{feed.feed_id} {feed.url} [{feed.outlet}] {state}{rate}")

    def _import_opml(self, *, file: Path, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        result = services.import_opml(data)
        self.stdout.write(f"{result.added} feeds added, {result.already_followed} already followed")
        if result.skipped:
            self.stdout.write(f"{len(result.skipped)} skipped, not http(s) web addresses:")
            for url in result.skipped[:20]:
                self._say(f"  {url[:200]}")

    def _export_opml(self, *, output: Path | None, **options: Any) -> None:
        data = services.export_opml()
        if output is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            return
        try:
            output.write_bytes(data)
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}") from error
        self.stdout.write(f"wrote {output}")
