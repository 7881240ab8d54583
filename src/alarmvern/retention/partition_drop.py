"""On PostgreSQL, a month that is wholly due goes at once: its partition is detached and dropped.

Only for a unit that deletes rows by one rule anchored on the partition column, with no
exceptions and no rows elsewhere pointing in. The month's partition is detached; the rows in
it under a legal hold are copied back into the table by one statement in the database (they
land in the default partition), and the rest go with the partition: all in one transaction
with the blob tombstones and the audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Table,
    TableClause,
    column,
    func,
    literal,
    not_,
    select,
    text,
)
from sqlalchemy import table as sql_table
from sqlalchemy.sql.visitors import replacement_traverse

from alarmvern import audit
from alarmvern.policy.model import Disposal
from alarmvern.retention import predicates
from alarmvern.retention.due import cutoff
from alarmvern.retention.plan import Unit
from alarmvern.store import partitions
from alarmvern.store.leases import Lease
from alarmvern.store.partitions import PARTITIONED, quote
from alarmvern.store.tables import blob_tombstones, metadata


def eligible_for_drop(unit: Unit) -> bool:
    column = PARTITIONED.get(unit.table.name)
    if column is None or not unit.is_row or unit.disposal is not Disposal.delete:
        return False
    if len(unit.rules) != 1 or unit.rules[0].rule.unless:
        return False
    anchor = unit.rules[0].rule.from_
    if anchor is None or unit.binding.anchors.get(str(anchor)) != column:
        return False
    pointed_at = any(
        fk.column.table is unit.table for t in metadata.sorted_tables for fk in t.foreign_keys
    )
    return not pointed_at


def drop_due_partitions(engine: Engine, unit: Unit, now: datetime, lease: Lease) -> tuple[int, int]:
    """Drop every wholly due month of ``unit``'s table; return (partitions, rows)."""
    limit = cutoff(unit.rules[0].rule, now) if eligible_for_drop(unit) else None
    if limit is None:
        return 0, 0
    table = unit.table
    with engine.connect() as conn:
        months = partitions.partitions(conn, table.name)
    dropped = rows = 0
    for month in months:
        if month.end > limit[0]:  # every row is before month.end, so all are due
            break
        with engine.begin() as conn:
            lease.renew(conn)
            rows += _drop(conn, unit, month, now)
        partitions.forget(engine, month.name)
        dropped += 1
    return dropped, rows


def _drop(conn: Connection, unit: Unit, month: partitions.Partition, now: datetime) -> int:
    table = unit.table
    key = predicates.primary_key(table)
    # Nothing may be written to the month between counting it and dropping it.
    conn.execute(text(f"LOCK TABLE {quote(month.name)} IN ACCESS EXCLUSIVE MODE"))
    predicates.lock_holds(conn, exclusive=False)
    holds = predicates.active_holds(conn, now.date())
    conn.execute(text(f"ALTER TABLE {quote(table.name)} DETACH PARTITION {quote(month.name)}"))
    # The month is a table of its own now; every statement below runs in the database, so
    # no row of it travels to us and back.
    part = sql_table(month.name, *(column(c.name) for c in table.c))
    held = _on(part, table, predicates.held(table, holds))
    total, first_id, last_id = conn.execute(
        select(func.count(), func.min(part.c[key.name]), func.max(part.c[key.name]))
    ).one()
    if unit.binding.blob:
        blob = part.c[unit.binding.blob]
        doomed = select(blob, literal(table.name), literal(now)).where(
            blob.is_not(None), not_(held)
        )
        conn.execute(
            blob_tombstones.insert().from_select(["blob_id", "source_table", "deleted_at"], doomed)
        )
    # Held rows go back into the table: its month has no partition now, so they land in the
    # default one.
    names = [c.name for c in table.c]
    put_back = table.insert().from_select(names, select(*(part.c[n] for n in names)).where(held))
    kept = conn.execute(put_back.execution_options(preserve_rowcount=True)).rowcount
    conn.execute(text(f"DROP TABLE {quote(month.name)}"))
    count = int(total) - int(kept)
    audit.append(
        conn,
        actor="retention",
        action="retention.drop_partition",
        details={
            "unit": unit.id,
            "rules": unit.rule_names,
            "table": table.name,
            "partition": month.name,
            "count": count,
            "kept_under_hold": int(kept),
            "first_id": first_id,
            "last_id": last_id,
        },
        at=now,
    )
    return count


def _on(part: TableClause, table: Table, clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """``clause`` (written for ``table``) asked of ``part``, a detached partition of it."""

    def swap(element: Any, **_: Any) -> Any:
        if isinstance(element, Column) and element.table is table:
            return part.c[element.name]
        return None

    return replacement_traverse(clause, {}, swap)
