"""Checks the commands make before they touch the database, and Dateline's own deployment checks.

The deployment checks join Django's in `dateline check --deploy` (decision 0061). Each is an Error,
so the command exits non-zero on any of them; Django's own security warnings stay warnings.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from dateline.core import demo_account
from dateline.core.config import MAKE_A_KEY, weak_secret_key

DEMO_ACCOUNT_REFUSED = (
    f"the database holds the demo's `{demo_account.USERNAME}` account with its published "
    f"password: anyone can sign in to the desk. Give it a password of its own "
    f"(`dateline changepassword {demo_account.USERNAME}`) or delete it"
)
ANY_HOST_WARNING = (
    "WARNING: DATELINE_ALLOWED_HOSTS='*' lets a request name any host: links the site builds "
    "(canonical, feeds, password resets) can be made to point at an attacker's. Name the site's "
    "own hosts, e.g. DATELINE_ALLOWED_HOSTS=news.example.org"
)


def require_migrated() -> None:
    """Refuses, in one line, to work on a database whose tables are missing or out of date."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError("the database is not up to date: run `dateline migrate` first")


def refuse_unsafe_production() -> None:
    """What `serve` and `worker` refuse in production, once the database is known migrated."""
    if settings.PRODUCTION and demo_account.present():
        raise CommandError(f"DATELINE_ENV=production refuses to run: {DEMO_ACCOUNT_REFUSED}")


@checks.register(checks.Tags.security, deploy=True)
def check_demo_account(**kwargs: Any) -> list[checks.CheckMessage]:
    try:
        present = demo_account.present()
    except DatabaseError as error:
        return [
            checks.Warning(
                f"could not look for the demo's editor account: {error}",
                hint="Run `dateline migrate`, then this check again.",
                id="dateline.W001",
            )
        ]
    return [checks.Error(DEMO_ACCOUNT_REFUSED, id="dateline.E001")] if present else []


@checks.register(checks.Tags.security, deploy=True)
def check_private_files(**kwargs: Any) -> list[checks.CheckMessage]:
    """The data directory, the SQLite database (and its -wal, -shm, -journal) and the secret key
    file are their owner's alone: they hold password hashes, sessions and the signing key."""
    data_dir = Path(settings.DATA_DIR)
    errors = []
    if _open_to_others(data_dir):
        errors.append(
            checks.Error(
                f"the data directory {data_dir} is open to other users",
                hint=f"chmod 700 {data_dir}",
                id="dateline.E002",
            )
        )
    files = [data_dir / "secret_key"]
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor == "sqlite":
        name = Path(database.settings_dict["NAME"])
        files += [name, *(name.with_name(name.name + end) for end in ("-wal", "-shm", "-journal"))]
    for path in files:
        if _open_to_others(path):
            errors.append(
                checks.Error(
                    f"{path} can be read or written by other users",
                    hint=f"chmod 600 {path}",
                    id="dateline.E003",
                )
            )
    return errors


def _open_to_others(path: Path) -> bool:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    return bool(stat.S_IMODE(mode) & 0o077)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key_and_hosts(**kwargs: Any) -> list[checks.CheckMessage]:
    errors = []
    if weakness := weak_secret_key(settings.SECRET_KEY):
        # Production refuses it at start already; this catches a weak key set for a trial run.
        errors.append(
            checks.Error(
                f"the secret key {weakness}",
                hint=f"Set DATELINE_SECRET_KEY to a key made with `{MAKE_A_KEY}`.",
                id="dateline.E004",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(checks.Error(ANY_HOST_WARNING.removeprefix("WARNING: "), id="dateline.E005"))
    return errors
