"""An erasure sends no statement it can do without: each is a round trip inside the one
transaction the erasure holds, and on PostgreSQL they were most of its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alarmvern.policy import load
from alarmvern.rights import erasure
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
