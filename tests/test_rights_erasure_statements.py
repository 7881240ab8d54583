"""An erasure sends no statement it can do without: each is a round trip inside the one
transaction the erasure holds, and on PostgreSQL they were most of its time."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, false, select

from alarmvern.policy import load
from alarmvern.rights import erasure, operations
from alarmvern.rights.scope import scope_of
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b
from tests.sql_trace import statements

AT = datetime(2026, 3, 1, 8, tzinfo=UTC)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def _customer(engine: Engine, vault: Vault) -> int:
    """A customer with events, an image and an ended contract (kept by the Bookkeeping
    Act), and no login."""
    with engine.begin() as conn:
        person = b.person(conn, vault)
        account = b.account(conn, person, "K1")
        site = b.site(conn, account)
        b.events(conn, account, site, [AT + timedelta(minutes=i) for i in range(3)])
        b.image(conn, vault, account, AT)
        b.insert(
            conn,
            t.contracts,
            account_id=account,
            person_id=person,
            product="Alarm",
            signed_at=AT - timedelta(days=400),
            ended_at=AT,
        )
    return person


def test_an_erasure_asks_only_what_it_needs(engine: Engine, vault: Vault) -> None:
    person = _customer(engine, vault)
    with statements(engine, one_line=True) as seen, engine.begin() as conn:
        found = scope_of(conn, vault, person)
        scoped = len([s for s in seen if s.startswith("SELECT")])
        receipt = erasure.erase(conn, vault, load("default").policy, found, actor="test")
    # Who the person is: their accounts and identifiers in one look.
    assert scoped == 1, seen
    # No login, so no session or link to end.
    assert not [s for s in seen if "sessions" in s or "login_tokens" in s]
    # No look for rows a required reference keeps, in a table no such reference points to.
    assert not [s for s in seen if s.endswith("AND false")]
    # The rows a law keeps: counted, and their last day found, in one statement.
    kept = [s for s in seen if s.startswith("SELECT") and "FROM contracts" in s]
    assert len([s for s in kept if "max(" in s]) == 1
    assert all("count(" in s for s in kept if "max(" in s), kept
    contract = next(d for d in receipt.decisions if d.table == "contracts")
    assert (contract.action, contract.rows) == ("kept", 1) and contract.until is not None
    with engine.connect() as conn:
        assert conn.execute(select(t.persons.c.id).where(t.persons.c.id == person)).first() is None


def _customer_with_events(engine: Engine, vault: Vault, events: int) -> tuple[int, list[int]]:
    """A customer with ``events`` alarm events and an image; their person and event ids."""
    with engine.begin() as conn:
        person = b.person(conn, vault)
        account = b.account(conn, person, f"K{events}")
        site = b.site(conn, account)
        b.events(conn, account, site, [AT + timedelta(seconds=i) for i in range(events)])
        b.image(conn, vault, account, AT)
        theirs = select(t.alarm_events.c.id).where(t.alarm_events.c.account_id == account)
        return person, sorted(int(i) for i in conn.execute(theirs).scalars())


def test_the_journal_names_every_row_deleted_and_the_blob_is_tombstoned(
    engine: Engine, vault: Vault
) -> None:
    person, event_ids = _customer_with_events(engine, vault, 1200)
    with engine.begin() as conn:
        found = scope_of(conn, vault, person)
        receipt = erasure.erase(conn, vault, load("default").policy, found, actor="test")
        stones = conn.execute(select(t.blob_tombstones.c.source_table)).scalars().all()
        # A delete that selects nothing journals no id (PostgreSQL's array of none is NULL).
        assert operations.delete_where(conn, t.alarm_events, false(), AT, None) == []
    deleted = [o for o in receipt.ops if o.table == "alarm_events" and o.op == "delete"]
    assert [sorted(o.ids) for o in deleted] == [event_ids]
    assert stones == ["media"]


def _young_collections(engine: Engine, vault: Vault, events: int) -> int:
    """How many times the garbage collector ran on its youngest objects during an erasure
    of a customer with ``events`` events."""
    person, _ = _customer_with_events(engine, vault, events)
    policy = load("default").policy
    runs: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    with engine.begin() as conn:
        found = scope_of(conn, vault, person)
        gc.collect()
        gc.callbacks.append(note)
        try:
            erasure.erase(conn, vault, policy, found, actor="test")
        finally:
            gc.callbacks.remove(note)
    return len(runs)


def test_a_person_with_many_rows_makes_the_erasure_no_more_garbage(
    pg_engine: Engine, vault: Vault
) -> None:
    """PostgreSQL returns the deleted ids as one array, not an object per row: thousands of
    rows alive at once were moved to the collector's oldest generation, whose collection of
    the whole process (80 ms in the benchmark) they so set off every few erasures, the p99
    of an erasure. (SQLite returns rows: none of its statements can delete and aggregate.)"""
    _young_collections(pg_engine, vault, 100)  # the statements compiled and cached
    few, many = (
        _young_collections(pg_engine, vault, 100),
        _young_collections(pg_engine, vault, 4000),
    )
    # As rows, the 4,000 set off eleven collections more than the 100 did.
    assert many - few <= 2, (few, many)
