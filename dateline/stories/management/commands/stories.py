"""`dateline stories SUBCOMMAND`: one module per subcommand beside this file's package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dateline.stories.management import export_pairs, top


class Command(BaseCommand):
    help = "Stories: the largest ones (top), editors' corrections for training (export-pairs)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND", required=True)
        top.add_parser(subcommands)
        export_pairs.add_parser(subcommands)

    def handle(self, *args: Any, **options: Any) -> None:
        options.pop("run")(self.stdout, **options)
