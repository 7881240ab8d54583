"""The access package says the same on SQLite and on PostgreSQL, where the server writes most
of its rows' JSON itself: the same rows, the same values, times in UTC either way."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text

from alarmvern.policy import load
from alarmvern.rights import access_package
from alarmvern.rights.scope import scope_of
from alarmvern.store import tables as t
from alarmvern.store.engine import reading
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b
from tests import rights_world
from tests.sql_trace import statements


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def _copy(source: Engine, target: Engine) -> None:
    """Every row of ``source`` into ``target``, ids and all: the same store on both."""
    with source.connect() as read, target.begin() as write:
        for table in t.metadata.sorted_tables:
            rows = [dict(r) for r in read.execute(select(table)).mappings()]
            if rows:
                write.execute(insert(table), rows)


def _package(
    engine: Engine, vault: Vault, person: int, path: Path, withhold: bool, zone: str | None
) -> tuple[dict[str, Any], access_package.AccessPackage]:
    with engine.begin() as conn:
        scope = scope_of(conn, vault, person)
    with reading(engine) as conn:
        if zone:  # PostgreSQL hands times back in the session's zone; the package says UTC
            conn.execute(text(f"SET LOCAL TIME ZONE '{zone}'"))
        package = access_package.build(
            conn, vault, load("default"), scope, path, pdf=False, withhold=withhold
        )
    with zipfile.ZipFile(path) as zf:
        data = json.loads(zf.read("data.json"))
    del data["generated_at"]
    return data, package


@pytest.mark.parametrize("withhold", [False, True])
def test_both_databases_give_the_same_package(
    sqlite_engine: Engine, pg_engine: Engine, vault: Vault, tmp_path: Path, withhold: bool
) -> None:
    with sqlite_engine.begin() as conn:
        world = rights_world.build(conn, vault, events=30)
        moment = datetime(2026, 3, 1, 8, 0, 0, 120000, tzinfo=UTC)  # trailing zeros kept
        b.events(conn, world.account, world.site, [moment], actor_person_id=world.person)
    _copy(sqlite_engine, pg_engine)
    lite, lite_package = _package(
        sqlite_engine, vault, world.person, tmp_path / "a.zip", withhold, None
    )
    pg, pg_package = _package(
        pg_engine, vault, world.person, tmp_path / "b.zip", withhold, "Europe/Oslo"
    )
    assert pg == lite
    assert pg_package.counts == lite_package.counts
    assert pg_package.withheld == lite_package.withheld
    assert (pg_package.media, pg_package.needs_review) == (
        lite_package.media,
        lite_package.needs_review,
    )
    events = lite["categories"]["user.alarm.event"]["tables"]["alarm_events"]
    assert "2026-03-01T08:00:00.120000+00:00" in {e["occurred_at"] for e in events}
    persons = lite["categories"]["user.name"]["tables"]["persons"]
    assert persons[0]["created_at"].endswith("+00:00")


def test_postgresql_writes_the_rows_json_itself(
    pg_engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    """Thousands of events are not turned into JSON in Python, one by one, on PostgreSQL:
    their rows come as the server wrote them, and the package takes their bytes."""
    with pg_engine.begin() as conn:
        world = rights_world.build(conn, vault, events=10)
    with statements(pg_engine) as seen:
        data, package = _package(pg_engine, vault, world.person, tmp_path / "p.zip", False, None)
    events = [s for s in seen if "FROM alarm_events" in s and "count(" not in s]
    assert events and all("row_to_json" in s for s in events), events
    assert len(data["categories"]["user.alarm.event"]["tables"]["alarm_events"]) == 10 + 1
    # Still the Reader's: a field to decrypt (the person's national identity number).
    assert data["categories"]["user.name"]["tables"]["persons"][0]["nin"] == "01017012345"
    assert package.counts["alarm_events"] == 11
