"""One way for tests and benchmarks to get a PostgreSQL server.

If DATELINE_TEST_POSTGRES_URL is set (CI sets it), that server is used. Otherwise a throwaway
cluster is created in a temporary directory and started on a free loopback port; when running as
root, the server runs as the `postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "DATELINE_TEST_POSTGRES_URL"


class PostgresUnavailable(RuntimeError):
    """No server is configured and none can be started here (binaries missing)."""


def _bin_dir() -> Path:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not candidates:
        raise PostgresUnavailable("no PostgreSQL server binaries (initdb) on this machine")
    return candidates[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root and there is no `postgres` user") from None
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    """Yields the URL of a server's maintenance database (`postgres`)."""
    configured = os.environ.get(ENV_URL)
    if configured:
        yield configured
        return
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="dateline-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    data, log, port = root / "data", root / "log", _free_port()
    run = lambda cmd: subprocess.run(  # noqa: E731
        _as_server_user(cmd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off"
    run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options, "start"])
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(base_url: str) -> Iterator[str]:
    """Creates an empty database on the server at `base_url`, yields its URL, drops it after."""
    import psycopg

    name = f"dateline_scratch_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(base_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
