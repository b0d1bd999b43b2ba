import sqlite3
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dateline.wire.models import Outlet

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
def test_backup_is_a_consistent_copy_while_writes_go_on(tmp_path: Path):
    Outlet.objects.bulk_create(Outlet(name=f"Outlet {n}") for n in range(500))
    live = connection.settings_dict["NAME"]
    stop = threading.Event()

    def keep_writing() -> None:
        writer = sqlite3.connect(live, timeout=20)
        n = 0
        while not stop.is_set():
            with writer:
                writer.execute(
                    "INSERT INTO wire_outlet (name, home_url, country, language, created_at) "
                    "VALUES (?, '', '', '', datetime('now'))",
                    (f"Concurrent {n}",),
                )
            n += 1
        writer.close()

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        call_command("backup", str(tmp_path / "copy.sqlite3"))
    finally:
        stop.set()
        thread.join()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = {row[0] for row in copy.execute("SELECT name FROM wire_outlet")}
    assert {f"Outlet {n}" for n in range(500)} <= names
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
def test_backup_refuses_to_overwrite_the_live_database():
    with pytest.raises(CommandError, match="live database"):
        call_command("backup", connection.settings_dict["NAME"])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
@pytest.mark.parametrize("companion", ["-wal", "-shm", "-journal"])
def test_backup_refuses_to_overwrite_the_live_databases_own_files(companion: str):
    Outlet.objects.create(name="Written before the backup")
    live = Path(connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match="live database"):
        call_command("backup", str(live.with_name(live.name + companion)))
    assert Outlet.objects.filter(name="Written before the backup").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL advice")
def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path):
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup", str(tmp_path / "copy"))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
def test_backup_into_a_folder_names_the_copy_by_its_time(tmp_path: Path):
    Outlet.objects.create(name="Harbour Gazette")
    call_command("backup", str(tmp_path))
    [copy_path] = tmp_path.glob("dateline-*.sqlite3")
    copy = sqlite3.connect(copy_path)
    assert copy.execute("SELECT name FROM wire_outlet").fetchall() == [("Harbour Gazette",)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup")
def test_backup_where_nothing_can_be_written_is_one_clear_error(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    unwritable = r"cannot write the backup at .*notes\.txt/copy\.sqlite3"
    with pytest.raises(CommandError, match=unwritable):
        call_command("backup", str(tmp_path / "notes.txt" / "copy.sqlite3"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
