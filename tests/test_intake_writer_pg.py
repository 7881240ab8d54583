"""The PostgreSQL writer's own ways (``intake/writer_pg.py``): rows staged by COPY in a
temporary table, and the stored-key check an index probe per row, on a real server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from alarmvern.intake import batch, writer, writer_pg
from alarmvern.intake.directory import Directory
from alarmvern.intake.signals import signals
from alarmvern.store import tables as t
from tests.test_intake_resends import _message
from tests.test_intake_sink import frame, make_world


def _batch(*data: str) -> list:  # type: ignore[type-arg]
    now = datetime.now(UTC)
    return [
        s
        for i, d in enumerate(data, 1)
        for s in signals(_message(frame("SIA-DCS", d, sequence=i)), now)
    ]


def test_the_stored_key_check_probes_the_index_and_is_never_a_join(pg_engine: Engine) -> None:
    """As a join, the planner read the whole month's partition into a hash for every batch
    while the table's statistics lagged its growth (55 of 90 ms at 96,000 rows); kept a
    subquery, it is an index probe per staged row, whatever the statistics say."""
    make_world(pg_engine)
    with pg_engine.begin() as conn:
        writer.write(conn, Directory(), _batch("Nri1/CL007"), {}, datetime.now(UTC))
    with pg_engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        directory = Directory()
        staged = _batch("Nri1/OP007", "Nri1/CL008")
        rows = [batch.row(conn, directory, s, datetime.now(UTC)) for s in staged]
        writer_pg._stage(raw, rows, staged)
        plan = "\n".join(
            line
            for (line,) in raw.execute(
                "EXPLAIN " + writer_pg._INSERT, [datetime.now(UTC)]
            ).fetchall()
        )
        conn.rollback()
    assert "SubPlan" in plan and "Join" not in plan, plan
    assert "Index" in plan, plan


def test_a_batch_rolled_back_leaves_the_next_one_on_its_connection_whole(
    pg_engine: Engine,
) -> None:
    """The staging table is made in the batch's transaction: a rollback takes it away, and
    the next batch on the same connection makes it again rather than failing."""
    make_world(pg_engine)
    with pg_engine.connect() as conn:
        with pytest.raises(RuntimeError), conn.begin():
            writer.write(conn, Directory(), _batch("Nri1/CL007"), {}, datetime.now(UTC))
            raise RuntimeError("the batch fails after its rows were staged")
        with conn.begin():
            written = writer.write(conn, Directory(), _batch("Nri1/CL007", "Nri1/OP007"), {},
                                   datetime.now(UTC))  # fmt: skip
        with conn.begin():  # the staging table was emptied at the commit: nothing again
            again = writer.write(conn, Directory(), _batch("Nri1/CL009"), {}, datetime.now(UTC))
        stored = conn.execute(select(func.count()).select_from(t.alarm_events)).scalar()
    assert (written.events, written.duplicates, again.events) == (2, 0, 1)
    assert stored == 3
