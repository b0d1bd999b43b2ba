"""`dateline backup`: a consistent copy of the SQLite database, written while the site runs.

A backup is only worth its copy: the copy is checked before it takes its place, and the command
never replaces what is not a backup of its own (decision 0060).
"""

import os
import sqlite3
import stat
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

# The files SQLite keeps beside a database while it is open (WAL mode, or a rollback journal).
_COMPANIONS = ("-wal", "-shm", "-journal")
_SQLITE_HEADER = b"SQLite format 3\x00"
_TABLES = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
_HAS_MIGRATIONS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"


class Command(BaseCommand):
    help = "Write a consistent copy of the SQLite database while the site runs."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path",
            help="Where to write the copy: a file, or a folder (one that exists, or a path "
            "ending in /) to write a new dateline-TIME.sqlite3 in.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the file at PATH even when it is not a Dateline backup.",
        )

    def handle(self, *args: Any, path: str, force: bool = False, **options: Any) -> None:
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
        live = source_path.resolve()
        given = Path(path).expanduser()
        # A folder of backups, as a nightly cron job keeps them: one new file a run, by its time.
        into_folder = path.endswith(("/", os.sep)) or given.is_dir()
        target = given.resolve()
        folder = target if into_folder else target.parent
        if refusal := _refusal(folder if into_folder else target, live=live, force=force):
            raise CommandError(f"the backup path {target} {refusal}")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        try:
            # Backups hold password hashes and sessions: a folder made for them is the owner's.
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            # SQLite's online backup copies a consistent snapshot while writers go on. It is
            # written beside the target and renamed into place, so a failed backup never leaves a
            # half file.
            fd, partial = tempfile.mkstemp(
                prefix=f".{'dateline' if into_folder else target.name}.",
                suffix=".partial",
                dir=folder,
            )
        except OSError as error:
            raise CommandError(f"cannot write the backup at {target}: {error.strerror}") from None
        os.close(fd)
        try:
            _copy(live, Path(partial))
            if into_folder:
                target = _place_new(Path(partial), folder, stamp)
            else:
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


def _refusal(target: Path, *, live: Path, force: bool) -> str | None:
    """Why the copy may not be written at ``target`` (resolved), or None. `--force` lifts only the
    last rule: a file that is no Dateline backup."""
    if target in {live, *(live.with_name(live.name + end) for end in _COMPANIONS)}:
        # The write-ahead log and shared-memory index are the live database too: a copy renamed
        # over the -wal file threw away every write not yet folded into the main file.
        return "is part of the live database itself"
    if target == (settings.DATA_DIR / "secret_key").resolve():
        return "is the site's secret key"
    for served in (Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)):
        # The site serves these folders to anyone: a copy there would publish every password
        # hash and session.
        if target.is_relative_to(served.resolve()):
            return f"is inside {served}, which the site serves to anyone"
    try:
        mode = target.stat().st_mode  # through a link, to what it names
    except (FileNotFoundError, NotADirectoryError):
        return None  # a new file; a folder that cannot be made is reported when it is made
    except OSError as error:
        return f"cannot be examined: {error.strerror}"
    if stat.S_ISDIR(mode):
        return None  # a folder to write a new file in
    if not stat.S_ISREG(mode):
        # Renamed over, a device node such as /dev/null would become a plain file.
        return "is not a regular file (a device, a pipe or a socket): give a file or a folder"
    if not force and not _is_dateline_database(target):
        return (
            "holds a file that is no Dateline backup: give another path, or add --force to "
            "replace it"
        )
    return None


def _is_dateline_database(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            if handle.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return False
        database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return False
    try:
        return database.execute(_HAS_MIGRATIONS).fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        database.close()


def _copy(live: Path, partial: Path) -> None:
    """Copies the live database into ``partial`` and checks the copy, or raises CommandError."""
    # As a URI, the path is quoted: a "#" or "?" in it would otherwise end the path, and SQLite
    # would open (and create) some other, empty database.
    source = sqlite3.connect(f"{live.as_uri()}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        if source.execute(_HAS_MIGRATIONS).fetchone() is None:
            raise CommandError(f"{live} holds no Dateline tables: run `dateline migrate` first")
        with copy:
            source.backup(copy)
        # The copy must stand alone: fold any WAL content into the file itself.
        copy.execute("PRAGMA journal_mode=DELETE")
        problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        # An empty database passes the integrity check: the copy must hold what the live one does.
        tables, live_tables = (db.execute(_TABLES).fetchone()[0] for db in (copy, source))
        has_migrations = copy.execute(_HAS_MIGRATIONS).fetchone() is not None
    finally:
        copy.close()
        source.close()
    if problem != "ok":
        raise CommandError(f"the copy failed its integrity check: {problem}")
    if not has_migrations or tables != live_tables:
        raise CommandError(
            f"the copy holds {tables} tables where {live} holds {live_tables}: it was not kept"
        )


def _place_new(partial: Path, folder: Path, stamp: str) -> Path:
    """Renames ``partial`` to a new dateline-STAMP.sqlite3 in ``folder``, never over another file:
    two runs within a second get `_2`, `_3`... (which sort after the first)."""
    number = 1
    while True:
        name = f"dateline-{stamp}.sqlite3" if number == 1 else f"dateline-{stamp}_{number}.sqlite3"
        candidate = folder / name
        try:
            # Taken exclusively, so a run beside this one cannot pick the same name.
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            number += 1
            continue
        os.replace(partial, candidate)
        return candidate
