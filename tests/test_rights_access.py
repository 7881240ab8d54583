"""The access package (art. 15) covers every personal table, and nothing of other people."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine

from alarmvern.policy import LoadedPolicy, load
from alarmvern.rights import access_package
from alarmvern.rights.scope import personal_tables, scope_of
from alarmvern.store.engine import reading
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import rights_world


@pytest.fixture
def policy() -> LoadedPolicy:
    return load("default")


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def _package(
    engine: Engine, vault: Vault, policy: LoadedPolicy, person: int, path: Path
) -> access_package.AccessPackage:
    with engine.begin() as conn:
        scope = scope_of(conn, vault, person)
    with reading(engine) as conn:
        return access_package.build(conn, vault, policy, scope, path, pdf=False)


def test_every_personal_table_is_in_the_package(
    engine: Engine, vault: Vault, policy: LoadedPolicy, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
    package = _package(engine, vault, policy, world.person, tmp_path / "p.zip")
    # Iterating the data map: a table added later without a way to find its rows fails here.
    missing = [t.name for t, _ in personal_tables() if not package.counts.get(t.name)]
    assert missing == []
    with zipfile.ZipFile(package.path) as zf:
        data = json.loads(zf.read("data.json"))
        names = zf.namelist()
        media = {n: zf.read(n) for n in names if n.startswith("media/")}
    assert {"data.json", "rapport.html", "LESMEG.txt"} <= set(names)
    categories = data["categories"]
    assert categories["user.alarm.event"]["purposes"][0]["activity"] == "alarm-monitoring"
    assert categories["user.alarm.incident"]["disclosed_to"]  # the police, from the log
    person_row = categories["user.name"]["tables"]["persons"][0]
    assert person_row["nin"] == "01017012345"  # decrypted for the person
    assert person_row["nin_lookup"].startswith("[lagret bare")
    assert b"\x89PNG test image" in media.values()
    assert b"RIFF audio" in media.values() and b"%PDF cv" in media.values()
    assert package.unreadable_media == 0
    assert "media" in package.needs_review and "incidents" in package.needs_review


def test_the_neighbours_own_data_stays_out(
    engine: Engine, vault: Vault, policy: LoadedPolicy, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
    package = _package(engine, vault, policy, world.person, tmp_path / "p.zip")
    with zipfile.ZipFile(package.path) as zf:
        data = json.loads(zf.read("data.json"))
    tables = {name: rows for c in data["categories"].values() for name, rows in c["tables"].items()}
    assert all(r["person_id"] == world.person for r in tables["presence"])
    events = tables["alarm_events"]
    # Kari's own account's log, and her one disarm at the neighbour's: not the neighbour's own.
    assert {e["actor_person_id"] for e in events} == {world.person}
    assert {p["id"] for p in tables["persons"]} == {world.person}
    assert package.counts["alarm_events"] == 3 + 1


def test_memory_is_flat_the_rows_are_read_a_page_at_a_time(
    engine: Engine, vault: Vault, policy: LoadedPolicy, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault, events=2500)
    package = _package(engine, vault, policy, world.person, tmp_path / "p.zip")
    assert package.counts["alarm_events"] == 2501
    with zipfile.ZipFile(package.path) as zf:
        data = json.loads(zf.read("data.json"))
    assert len(data["categories"]["user.alarm.event"]["tables"]["alarm_events"]) == 2501


def test_the_report_is_in_bokmal_and_can_be_a_pdf(
    engine: Engine, vault: Vault, policy: LoadedPolicy, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
        scope = scope_of(conn, vault, world.person)
    with reading(engine) as conn:
        package = access_package.build(conn, vault, policy, scope, tmp_path / "p.zip", pdf=True)
    with zipfile.ZipFile(package.path) as zf:
        html = zf.read("rapport.html").decode()
        pdf = zf.read("rapport.pdf")
    assert "Dine personopplysninger hos" in html and "Hvorfor vi har dette" in html
    assert pdf.startswith(b"%PDF")
