"""`dateline stories SUBCOMMAND`: the stories app's command line.

Each subcommand is one ``_handle_<name>`` method; ``eval`` backtests the clusterer on a labelled
JSON-lines file and needs no database. ``top`` and ``export-pairs`` live in their own modules
(dateline/stories/management/top.py, export_pairs.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.stories.domain.evaluation import LabelledFileError, evaluate, read_labelled
from dateline.stories.management import export_pairs, top
from dateline.stories.management.setup_option import add_lexical_flag, chosen_setup


class Command(BaseCommand):
    help = (
        "Story clustering: `eval FILE.jsonl` backtests the clusterer on a labelled file; "
        "`top FILE_OR_DB` prints the largest stories; `export-pairs` writes editors' corrections."
    )
    # eval reads a file, not the database: no checks that would need a configured database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        evaluation = subcommands.add_parser(
            "eval",
            help="Replay a labelled JSON-lines file through the clusterer and score it (B-cubed).",
        )
        evaluation.add_argument(
            "file", type=Path, help="JSON lines: id, title, text, published, gold_cluster, source"
        )
        evaluation.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="End with the scores as one JSON object.",
        )
        add_lexical_flag(evaluation)
        top.add_parser(subcommands)
        export_pairs.add_parser(subcommands)

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, f"_handle_{subcommand.replace('-', '_')}")(**options)

    def _handle_top(self, **options: Any) -> None:
        top.run(self.stdout, **options)

    def _handle_export_pairs(self, **options: Any) -> None:
        export_pairs.run(self.stdout, **options)

    def _handle_eval(
        self, *, file: Path, as_json: bool = False, lexical: bool = False, **_: Any
    ) -> None:
        try:
            # utf-8-sig: files saved by spreadsheet and Windows tools start with a byte-order mark.
            with file.open(encoding="utf-8-sig") as handle:
                rows = read_labelled(handle)
        except FileNotFoundError:
            raise CommandError(f"no such file: {file}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from None
        except LabelledFileError as error:
            raise CommandError(f"{file}: {error}") from None
        if not rows:
            raise CommandError(f"{file}: no articles")
        setup = chosen_setup(lexical)
        result = evaluate(
            rows, make_clusterer=setup.clusterer, embed=setup.embed, merge_every=setup.merge_every
        )
        b3, pw = result.bcubed, result.pairwise
        self.stdout.write(f"encoder         {setup.encoder or 'none (words only)'}")
        every = setup.merge_every
        passes = f"every {every.total_seconds() / 60:g} min" if every else "off"
        self.stdout.write(f"periodic pass   {passes} (of the articles' own times)")
        self.stdout.write(f"articles        {result.articles}")
        self.stdout.write(f"clusters        {result.clusters} (gold {result.gold_clusters})")
        self.stdout.write(f"B-cubed         P {b3.p:.4f}  R {b3.r:.4f}  F1 {b3.f1:.4f}")
        self.stdout.write(f"pairwise        P {pw.p:.4f}  R {pw.r:.4f}  F1 {pw.f1:.4f}")
        self.stdout.write(
            f"time            {result.seconds:.2f} s, {result.articles_per_s:.1f} articles/s"
        )
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        **result.as_json(),
                        "encoder": setup.encoder,
                        "merge_every_minutes": every.total_seconds() / 60 if every else None,
                    }
                )
            )
