"""The audit chain catches every kind of tampering, done directly in the database."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, text, update

from alarmvern import audit
from alarmvern.store.tables import audit_log


def _write(engine: Engine, n: int) -> None:
    with engine.begin() as conn:
        for i in range(n):
            audit.append(
                conn, actor="dpo", action="test.entry", subject=f"person:{i}", details={"i": i}
            )


def test_an_untouched_chain_verifies(engine: Engine) -> None:
    _write(engine, 5)
    with engine.connect() as conn:
        assert audit.verify(conn) == (5, None)


def test_an_edited_entry_is_found(engine: Engine) -> None:
    _write(engine, 5)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(actor="someone-else"))
    with engine.connect() as conn:
        _, broken = audit.verify(conn)
    assert broken is not None and broken.seq == 3 and "changed" in broken.problem


def test_a_deleted_entry_is_found(engine: Engine) -> None:
    _write(engine, 5)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    with engine.connect() as conn:
        _, broken = audit.verify(conn)
    assert broken is not None and broken.seq == 3 and "removed" in broken.problem


def test_an_inserted_entry_is_found(engine: Engine) -> None:
    _write(engine, 3)
    with engine.begin() as conn:
        row = conn.execute(select(audit_log).where(audit_log.c.seq == 2)).one()._asdict()
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(seq=4))
        row.update(seq=3, action="forged")
        conn.execute(audit_log.insert().values(**row))
    with engine.connect() as conn:
        _, broken = audit.verify(conn)
    assert broken is not None and broken.seq == 3


def test_reordered_entries_are_found(engine: Engine) -> None:
    _write(engine, 4)
    with engine.begin() as conn:
        # Swap the sequence numbers of entries 2 and 3 (via a free number).
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values(seq=99))
        conn.execute(update(audit_log).where(audit_log.c.seq == 3).values(seq=2))
        conn.execute(update(audit_log).where(audit_log.c.seq == 99).values(seq=3))
    with engine.connect() as conn:
        _, broken = audit.verify(conn)
    assert broken is not None and broken.seq == 2


def test_details_are_canonical_json_of_what_was_given(engine: Engine) -> None:
    with engine.begin() as conn:
        entry = audit.append(conn, actor="system", action="x", details={"b": 1, "a": [1, 2]})
    assert entry.details == '{"a": [1, 2], "b": 1}'
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1
