"""How the rights paths read a person's rows: counted first, fetched in as few round trips as
will do, planned on PostgreSQL for every row, and each subject's key looked up once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from alarmvern.policy import load
from alarmvern.rights import access_package, erasure, scope
from alarmvern.rights.scope import counts, personal_tables, rows, scope_of, whole_results
from alarmvern.store import tables as t
from alarmvern.store.engine import reading
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b
from tests.sql_trace import statements

AT = datetime(2026, 3, 1, 8, tzinfo=UTC)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def _customer(engine: Engine, vault: Vault, events: int, number: str = "K1") -> int:
    with engine.begin() as conn:
        person = b.person(conn)
        account = b.account(conn, person, number)
        site = b.site(conn, account)
        b.events(conn, account, site, [AT + timedelta(minutes=i) for i in range(events)])
    return person


def test_counts_say_how_many_rows_of_each_table_concern_the_person(
    engine: Engine, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _customer(engine, vault, 3)
    _customer(engine, vault, 2, number="K2")  # someone else's events
    with engine.begin() as conn:
        found = scope_of(conn, vault, person)
        sizes = counts(conn, found, personal_tables())
        assert sizes["alarm_events"] == 3
        assert sizes["persons"] == 1 and sizes["sites"] == 1
        assert sizes["incidents"] == 0
        # Fetched at once (a page or less), or streamed (more): the same rows, in key order.
        for pages in (1000, 2):
            monkeypatch.setattr(scope, "PAGE", pages)
            with whole_results(conn):
                for table, binding in personal_tables():
                    streamed = list(rows(conn, table, binding, found))
                    counted = list(rows(conn, table, binding, found, sizes.get(table.name)))
                    assert counted == streamed, table.name
                    assert len(counted) == sizes.get(table.name, 0), table.name


def test_cursors_are_planned_for_all_their_rows_on_postgresql(
    pg_engine: Engine, vault: Vault
) -> None:
    """A server-side cursor over a big table, planned for its first rows only, walks the
    table's primary key instead of the person's indexes."""
    person = _customer(pg_engine, vault, 50)
    with pg_engine.begin() as conn:
        other = b.account(conn, b.person(conn), "K2")
        site = b.site(conn, other)
    for batch in range(4):
        with pg_engine.begin() as conn:
            start = AT + timedelta(hours=batch)
            b.events(conn, other, site, [start + timedelta(seconds=i) for i in range(5000)])
    with pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE alarm_events"))
    with pg_engine.begin() as conn:
        found = scope_of(conn, vault, person)
        table, binding = next((x, y) for x, y in personal_tables() if x is t.alarm_events)
        where = scope.selection(table, binding, found)
        assert where is not None
        query = select(table).where(where).order_by(table.c.id)
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        before = conn.execute(text("SHOW cursor_tuple_fraction")).scalar_one()
        with whole_results(conn):
            plan = "\n".join(conn.execute(text(f"EXPLAIN DECLARE c CURSOR FOR {sql}")).scalars())
            assert "pkey" not in plan and "pk_alarm_events" not in plan, plan
            assert conn.execute(text("SHOW cursor_tuple_fraction")).scalar_one() == "1"
        assert conn.execute(text("SHOW cursor_tuple_fraction")).scalar_one() == before


def test_the_media_of_one_subject_look_up_its_key_once(
    engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    person = _customer(engine, vault, 1)
    with engine.begin() as conn:
        account = conn.execute(select(t.customer_accounts.c.id)).scalars().first()
        assert account is not None
        for n in range(4):
            b.image(conn, vault, account, AT + timedelta(hours=n))
        found = scope_of(conn, vault, person)
    with statements(engine) as seen, reading(engine) as conn:
        package = access_package.build(
            conn, vault, load("default"), found, tmp_path / "p.zip", pdf=False
        )
    assert package.media == 4 and package.unreadable_media == 0
    assert len([s for s in seen if "FROM key_tombstones" in s]) == 1


def test_an_erasure_cuts_the_references_to_the_person_in_one_statement(
    pg_engine: Engine, vault: Vault
) -> None:
    person = _customer(pg_engine, vault, 3)
    with pg_engine.begin() as conn:
        found = scope_of(conn, vault, person)
    with statements(pg_engine) as seen, pg_engine.begin() as conn:
        erasure.erase(conn, vault, load("default").policy, found, actor="test")
    # (The person's own DELETE is a WITH too on PostgreSQL: it returns its ids as an array.)
    cuts = [
        s
        for s in seen
        if s.lstrip().startswith(("UPDATE", "WITH"))
        and "persons.id" in s
        and "DELETE FROM persons" not in s
    ]
    assert len(cuts) == 1, cuts
    with pg_engine.connect() as conn:
        assert conn.execute(select(t.persons.c.id).where(t.persons.c.id == person)).first() is None
        assert conn.execute(select(func.count()).select_from(t.alarm_events)).scalar() == 0
