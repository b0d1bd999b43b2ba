import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

# The files SQLite keeps beside a database while it is open (WAL mode, or a rollback journal).
_COMPANIONS = ("-wal", "-shm", "-journal")


class Command(BaseCommand):
    help = "Write a consistent copy of the SQLite database while the site runs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path",
            help="Where to write the copy: a file, or a folder to write dateline-TIME.sqlite3 in.",
        )

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        if not path.strip():
            raise CommandError("give the path of the copy (a file, or a folder to put it in)")
        if connection.vendor != "sqlite":
            raise CommandError(
                f"the database is {connection.vendor}: back it up with pg_dump, e.g. "
                "`pg_dump --format=custom --file=dateline.dump DBNAME`"
            )
        source_path = Path(connection.settings_dict["NAME"])
        if not source_path.exists():
            raise CommandError(f"no database at {source_path}: run `dateline migrate` first")
        target = Path(path).expanduser().resolve()
        if target.is_dir():
            # A folder of backups, as a nightly cron job keeps them: one file a run, by its time.
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            target = target / f"dateline-{stamp}.sqlite3"
        live = source_path.resolve()
        # The write-ahead log and shared-memory index are the live database too: a copy renamed
        # over the -wal file threw away every write not yet folded into the main file.
        if target in {live, *(live.with_name(live.name + end) for end in _COMPANIONS)}:
            raise CommandError(f"the backup path {target} is part of the live database itself")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # SQLite's online backup copies a consistent snapshot while writers go on. It is
            # written beside the target and renamed into place, so a failed backup never leaves a
            # half file.
            fd, partial = tempfile.mkstemp(
                prefix=target.name + ".", suffix=".partial", dir=target.parent
            )
        except OSError as error:
            raise CommandError(f"cannot write the backup at {target}: {error.strerror}") from None
        os.close(fd)
        try:
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            copy = sqlite3.connect(partial)
            try:
                with copy:
                    source.backup(copy)
                # The copy must stand alone: fold any WAL content into the file itself.
                copy.execute("PRAGMA journal_mode=DELETE")
                problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
                source.close()
            if problem != "ok":
                raise CommandError(f"the copy failed its integrity check: {problem}")
            os.replace(partial, target)
        except (OSError, sqlite3.Error) as error:  # a full disk, a target that is a folder...
            Path(partial).unlink(missing_ok=True)
            reason = getattr(error, "strerror", None) or str(error)
            raise CommandError(f"the backup to {target} failed: {reason}") from None
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        size = target.stat().st_size
        self.stdout.write(f"backed up {source_path} to {target} ({size:,} bytes)")
