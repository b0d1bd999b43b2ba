"""The `dateline` command.

Each subcommand is a Django management command of one of the apps; this module only names the ones
a user needs, with one line of help each, and turns configuration errors into one-line messages
instead of tracebacks. `dateline help --all` lists every Django command as well.
"""

from __future__ import annotations

import os
import sys

# name -> one line of help. Order is the order shown.
SUBCOMMANDS: dict[str, str] = {
    "serve": "Run the web site under the production server (granian), static files included.",
    "worker": "Run background work: polling, clustering, publishing scheduled posts.",
    "feeds": "Follow feeds (add URL, import-opml FILE), list them, export-opml.",
    "poll": "Poll the feeds that are due now, in the foreground (--once: then exit).",
    "demo": "Migrate if needed and load the offline demo site (idempotent).",
    "migrate": "Create or update the database tables.",
    "stories": "Stories: `eval FILE` scores the clusterer; `top FILE_OR_DB` lists the largest.",
    "backup": "Write a consistent copy of the SQLite database while the site runs.",
    "import": "Import a Blogger or WordPress export (or OPML feeds): posts, comments, old URLs.",
    "export": "Write every post, page, label and comment thread as WXR or Blogger Atom.",
    "reindex": "Rebuild the search index from the posts (after a restore or an import).",
    "createsuperuser": "Create an editor account with every permission.",
    "parse": "Parse one feed (a file or an http(s) URL) and print its feed and entries.",
}


def usage() -> str:
    width = max(len(name) for name in SUBCOMMANDS)
    lines = [
        "usage: dateline SUBCOMMAND [options]",
        "",
        "Dateline: a self-hosted news desk and blog. Subcommands:",
        "",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in SUBCOMMANDS.items()]
    lines += [
        "",
        "`dateline SUBCOMMAND --help` explains one subcommand; `dateline help --all` lists every",
        "Django management command. Settings come from DATELINE_* environment variables",
        "(docs/settings.md).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"} or argv == ["help"]:
        print(usage())
        return 0
    if argv[:2] == ["help", "--all"]:
        argv = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings")

    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    from dateline.core.config import unknown_settings
    from dateline.core.errors import ConfigurationError

    for warning in unknown_settings(os.environ):
        print(f"dateline: warning: {warning}", file=sys.stderr)
    try:
        execute_from_command_line(["dateline", *argv])
    except (ConfigurationError, ImproperlyConfigured) as error:
        print(f"dateline: configuration error: {error}", file=sys.stderr)
        return 2
    except DatabaseError as error:
        # Commands of ours check their tables first; this is for the rest (Django's own, such as
        # createsuperuser) and for a database that went away: one line, not a traceback.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(
            f"dateline: database error: {reason} "
            "(is DATELINE_DATABASE_URL right, and has `dateline migrate` run?)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
