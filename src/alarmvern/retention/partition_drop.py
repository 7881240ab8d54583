"""On PostgreSQL, a month that is wholly due goes at once: its partition is detached and dropped.

Only for a unit that deletes rows by one rule anchored on the partition column, with no
exceptions and no rows elsewhere pointing in. Rows under a legal hold inside the month are
copied out first and put back (they land in the default partition), all in one transaction
with the drop, the blob tombstones and the audit entry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, column, func, literal, select, text
from sqlalchemy import table as sql_table

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
    time = table.c[PARTITIONED[table.name]]
    # Nothing may be written to the month between counting it and dropping it.
    conn.execute(text(f"LOCK TABLE {quote(month.name)} IN ACCESS EXCLUSIVE MODE"))
    predicates.lock_holds(conn, exclusive=False)
    holds = predicates.active_holds(conn, now.date())
    held_rows = [
        dict(r._mapping)
        for r in conn.execute(
            select(table).where(
                time >= month.start, time < month.end, predicates.held(table, holds)
            )
        )
    ]
    part = sql_table(month.name, column(key.name), *(column(b) for b in [unit.binding.blob] if b))
    total, first_id, last_id = conn.execute(
        select(func.count(), func.min(part.c[key.name]), func.max(part.c[key.name]))
    ).one()
    if unit.binding.blob:
        blob = part.c[unit.binding.blob]
        kept = sorted({r[unit.binding.blob] for r in held_rows} - {None})
        doomed = select(blob, literal(table.name), literal(now)).where(blob.is_not(None))
        if kept:
            doomed = doomed.where(blob.not_in(kept))
        conn.execute(
            blob_tombstones.insert().from_select(["blob_id", "source_table", "deleted_at"], doomed)
        )
    conn.execute(text(f"ALTER TABLE {quote(table.name)} DETACH PARTITION {quote(month.name)}"))
    conn.execute(text(f"DROP TABLE {quote(month.name)}"))
    if held_rows:
        conn.execute(table.insert(), held_rows)  # into the default partition
    count = int(total) - len(held_rows)
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
            "kept_under_hold": len(held_rows),
            "first_id": first_id,
            "last_id": last_id,
        },
        at=now,
    )
    return count
