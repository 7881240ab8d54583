"""Files on disk (security review M7): the data folder, blob folder, journal, key store,
anchor and the SQLite database with its -wal and -shm are the owner's alone."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from alarmvern.initialise import initialise
from alarmvern.rights import journal
from alarmvern.settings import Settings
from alarmvern.system import open_system


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)  # what most systems give: without care, 0644 and 0755
    yield
    os.umask(before)


@pytest.mark.usefixtures("usual_umask")
def test_everything_in_the_data_folder_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    initialise(settings)
    system = open_system(settings)
    with system.engine.begin() as conn:
        system.vault.put_blob(conn, "person:1", "media", system.vault.new_blob_id(), b"img")
    journal.Journal(data / "journal").committed("x")
    database = data / "alarmvern.db"
    folders = [data, data / "blobs", data / "journal", data / "keys", data / "audit"]
    folders += [p for p in (data / "blobs").rglob("*") if p.is_dir()]
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    files += [data / "keys" / "subject-keys.db", data / "audit" / "anchor.jsonl"]
    files += [data / "journal" / journal.FILE]
    try:
        for folder in folders:
            assert _mode(folder) == 0o700, folder
        for file in files:
            assert _mode(file) == 0o600, file
    finally:
        system.close()


@pytest.mark.usefixtures("usual_umask")
def test_an_older_data_folder_is_made_private_on_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    initialise(Settings(data_dir=data))
    (data / "alarmvern.db").chmod(0o644)
    data.chmod(0o755)
    open_system(Settings(data_dir=data)).close()
    assert _mode(data) == 0o700 and _mode(data / "alarmvern.db") == 0o600
