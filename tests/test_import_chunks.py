"""On SQLite a real import writes in chunks of customers: alarm intake (which shares the one
write lock) gets it between chunks, and a run killed half-way leaves whole customers only,
which the same file run again completes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from alarmvern import audit
from alarmvern.customers.importing import COLUMNS, ImportReport, import_customers
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import FolderBlobStore, MasterKey, Vault

ROWS, CHUNK = 300, 50


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def csv_lines() -> list[str]:
    lines = [",".join(COLUMNS) + "\n"]
    for i in range(ROWS):
        values = {
            "customer_no": f"K{i:05d}",
            "name": f"Kunde {i}",
            "street": f"Gate {i}",
            "postcode": "0155",
            "panel_account": f"P{i:05d}",
            "user_no": "2",
            "user_name": f"Bruker {i}",
            "contact_name": f"Kontakt {i}",
            "contact_phone": "91234567",
        }
        lines.append(",".join(values.get(c, "") for c in COLUMNS) + "\n")
    return lines


def count(engine: Engine, table: t.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_another_writer_gets_the_lock_between_chunks(
    sqlite_engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    between, resume = threading.Event(), threading.Event()
    told = [0]

    def progress(n: int) -> None:
        told[0] += n
        if told[0] > ROWS and not between.is_set():  # checked; the first chunk is written
            between.set()
            assert resume.wait(120), "the other writer never finished"

    outcome: list[ImportReport] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            import_customers(
                sqlite_engine, vault, csv_lines(), actor="t", progress=progress, chunk=CHUNK
            )
        )
    )
    worker.start()
    try:
        assert between.wait(300), "the import never finished its first chunk"
        intake = create_store_engine(str(sqlite_engine.url))  # another process's connection
        try:
            with intake.begin() as conn:  # an intake-like write: it takes the write lock
                audit.append(conn, actor="receiver", action="alarm.received")
            stored_then = count(intake, t.customer_accounts)
        finally:
            intake.dispose()
    finally:
        resume.set()
        worker.join(300)
    assert stored_then == CHUNK  # the write went in between chunks, the import not done
    (report,) = outcome
    assert report.committed and count(sqlite_engine, t.customer_accounts) == ROWS
    with sqlite_engine.connect() as conn:
        entries, broken = audit.verify(conn)
    assert broken is None and entries > ROWS  # the chunks' audit chain runs round the write


class Killed(Exception):
    pass


def test_a_run_killed_half_way_leaves_whole_customers_and_a_rerun_completes(
    sqlite_engine: Engine, vault: Vault
) -> None:
    told = [0]

    def progress(n: int) -> None:
        told[0] += n
        if told[0] >= ROWS + 2 * CHUNK:  # two chunks written: killed
            raise Killed

    with pytest.raises(Killed):
        import_customers(
            sqlite_engine, vault, csv_lines(), actor="t", progress=progress, chunk=CHUNK
        )
    assert count(sqlite_engine, t.customer_accounts) == 2 * CHUNK

    def whole() -> None:  # every stored customer has all of its row: site, users, contact
        accounts = count(sqlite_engine, t.customer_accounts)
        assert count(sqlite_engine, t.sites) == accounts
        assert count(sqlite_engine, t.panel_users) == 2 * accounts
        assert count(sqlite_engine, t.alarm_contacts) == accounts

    whole()
    again = import_customers(sqlite_engine, vault, csv_lines(), actor="t", chunk=CHUNK)
    assert again.committed and (again.imported, again.skipped) == (ROWS - 2 * CHUNK, 2 * CHUNK)
    with sqlite_engine.connect() as conn:
        numbers = list(conn.execute(select(t.customer_accounts.c.customer_no)).scalars())
    assert sorted(numbers) == [f"K{i:05d}" for i in range(ROWS)]  # each once
    whole()
