"""Erasure (art. 17): what goes, what stays and until when, and the replay after a restore."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update

from alarmvern.policy import LoadedPolicy, load
from alarmvern.retention import holds
from alarmvern.retention.sweep import finish_tombstones
from alarmvern.rights import erasure, journal
from alarmvern.rights.erasure import ErasureRefused
from alarmvern.rights.scope import scope_of
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables import subject_keys
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import rights_world
from tests.rights_world import NOW, World


@pytest.fixture
def policy() -> LoadedPolicy:
    return load("default")


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def count(engine: Engine, table: t.Table, *where: object) -> int:  # type: ignore[name-defined]
    with engine.connect() as conn:
        query = select(func.count()).select_from(table).where(*where)  # type: ignore[arg-type]
        return int(conn.execute(query).scalar_one())


def erase(
    engine: Engine, vault: Vault, policy: LoadedPolicy, world: World, **options: object
) -> erasure.Receipt:
    with engine.begin() as conn:
        scope = scope_of(conn, vault, world.person)
        receipt = erasure.erase(conn, vault, policy.policy, scope, actor="test", **options)  # type: ignore[arg-type]
    finish_tombstones(engine, vault)
    return receipt


def test_erasing_a_customer_keeps_only_what_the_law_keeps(
    engine: Engine, vault: Vault, policy: LoadedPolicy
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
        login = conn.execute(select(t.logins.c.id)).scalar_one()
        conn.execute(
            t.sessions.insert().values(
                token_hash="b" * 64,
                login_id=login,
                csrf_token="c",
                created_at=NOW,
                expires_at=NOW,
            )
        )
    receipt = erase(engine, vault, policy, world)
    assert count(engine, t.logins) == 0 and count(engine, t.sessions) == 0  # logged out
    for table in (t.alarm_events, t.media, t.presence, t.sites, t.incidents, t.call_recordings):
        assert count(engine, table, table.c.account_id == world.account) == 0, table.name
    assert count(engine, t.presence, t.presence.c.person_id == world.person) == 0
    assert count(engine, t.leads) == 0 and count(engine, t.job_applicants) == 0
    # Art. 7(1), 5(2): the receipt of a consent relied on is kept (N-19), not erased.
    assert count(engine, t.consents) == 2
    # The Bookkeeping Act keeps the invoice, until five years after the fiscal year.
    assert count(engine, t.invoices) == 1
    kept = {d.table: d for d in receipt.kept()}
    # Contracts are bookkeeping documentation too (art. 17(3)(b), N-07), not only invoices.
    assert "contracts" in kept and "bokføringsloven" in (kept["contracts"].reason or "")
    assert (
        kept["invoices"].until is not None and kept["invoices"].until.year >= date.today().year + 5
    )
    assert "bokføringsloven" in (kept["invoices"].reason or "")
    # The suppression list outlives erasure; proof of the requests answered is kept.
    assert count(engine, t.marketing_suppressions) == 1
    assert "rights_requests" in kept
    # Kari herself is anonymised (records of her requests still point at the row), her key gone.
    with engine.connect() as conn:
        row = conn.execute(select(t.persons).where(t.persons.c.id == world.person)).first()
        keys = set(conn.execute(select(subject_keys.c.subject)).scalars())
    assert row is None or (row.name is None and row.email is None and row.nin_enc is None)
    assert f"person:{world.person}" not in keys and f"account:{world.account}" not in keys
    assert not vault.blobs.exists(world.media_blob) and not vault.blobs.exists(world.cv_blob)
    # The account stays only as the invoice's anonymous counterpart.
    with engine.connect() as conn:
        account = conn.execute(
            select(t.customer_accounts).where(t.customer_accounts.c.id == world.account)
        ).one()
    assert account.holder_person_id is None and account.customer_no.startswith("anon-")


def test_the_neighbours_log_keeps_her_disarm_without_her(
    engine: Engine, vault: Vault, policy: LoadedPolicy
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
    erase(engine, vault, policy, world)
    events = t.alarm_events
    at_neighbour = events.c.account_id == world.neighbour_account
    assert count(engine, events, at_neighbour) == 2  # nothing of the neighbour's log is lost
    assert count(engine, events, events.c.actor_person_id == world.person) == 0
    assert count(engine, events, at_neighbour, events.c.user_no == 7) == 1  # pseudonymous
    assert count(engine, t.panel_users, t.panel_users.c.person_id == world.person) == 0
    assert count(engine, t.alarm_contacts) == 0
    assert count(engine, t.presence, t.presence.c.person_id == world.neighbour) == 1
    assert count(engine, t.persons, t.persons.c.id == world.neighbour) == 1


def test_an_active_contract_must_be_ended_or_kept_explicitly(
    engine: Engine, vault: Vault, policy: LoadedPolicy
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
        conn.execute(update(t.contracts).values(ended_at=None))
    with pytest.raises(ErasureRefused, match="active contract"):
        erase(engine, vault, policy, world)
    assert count(engine, t.alarm_events) == 5  # refused: nothing changed
    receipt = erase(engine, vault, policy, world, keep_contract=True)
    kept = {d.table for d in receipt.kept() if d.reason == "active_contract"}
    assert {"sites", "alarm_events"} <= kept
    # The contract itself is bookkeeping documentation, kept by law whatever the state (N-07).
    assert "contracts" in {d.table for d in receipt.kept()}
    assert count(engine, t.presence, t.presence.c.person_id == world.person) == 0
    assert count(engine, t.leads) == 0


def test_held_media_are_kept_until_the_hold_ends(
    engine: Engine, vault: Vault, policy: LoadedPolicy
) -> None:
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
        media_id = conn.execute(select(t.media.c.id)).scalar_one()
    ends = date.today() + timedelta(days=20)
    with engine.begin() as conn:
        holds.place(
            conn,
            policy.policy,
            target="media",
            target_id=media_id,
            reason="politisak",
            placed_by="dpo",
            ends_on=ends,
        )
    receipt = erase(engine, vault, policy, world)
    kept = {d.table: d for d in receipt.kept()}
    assert kept["media"].reason == "legal_hold" and kept["media"].until == ends
    assert vault.blobs.exists(world.media_blob)
    with engine.connect() as conn:
        assert vault.get_blob(conn, f"account:{world.account}", "media", world.media_blob)


def test_a_restored_backup_is_erased_again_by_replaying_the_journal(
    sqlite_engine: Engine, vault: Vault, policy: LoadedPolicy, tmp_path: Path
) -> None:
    engine = sqlite_engine
    with engine.begin() as conn:
        world = rights_world.build(conn, vault)
    database = Path(engine.url.database or "")
    backup = tmp_path / "backup.db"
    with sqlite3.connect(database) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    log = journal.Journal(tmp_path / "journal")
    with engine.begin() as conn:
        scope = scope_of(conn, vault, world.person)
        receipt = erasure.erase(conn, vault, policy.policy, scope, actor="test")
        entry = journal.Entry(receipt.at, world.person, None, receipt.ops, receipt.shredded)
        log.append(entry)
    log.committed(entry.id)
    engine.dispose()
    with sqlite3.connect(backup) as source, sqlite3.connect(database) as target:
        source.backup(target)  # the restore
    restored = create_store_engine(f"sqlite:///{database}")
    assert count(restored, t.presence, t.presence.c.person_id == world.person) == 1
    assert journal.replay(restored, vault, log, receipt.at.date(), actor="test") == 1
    assert count(restored, t.presence, t.presence.c.person_id == world.person) == 0
    assert count(restored, t.alarm_events, t.alarm_events.c.actor_person_id == world.person) == 0
    assert count(restored, t.leads) == 0 and count(restored, t.invoices) == 1
    with restored.connect() as conn:
        keys = set(conn.execute(select(subject_keys.c.subject)).scalars())
    assert f"person:{world.person}" not in keys
    # Replaying again changes nothing.
    assert journal.replay(restored, vault, log, receipt.at.date(), actor="test") == 1
    assert count(restored, t.invoices) == 1
    restored.dispose()
