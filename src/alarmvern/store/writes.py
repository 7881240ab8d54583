"""The store's bulk write path, used by intake, the demo and the benchmarks.

On PostgreSQL a batch goes in with COPY, the driver's fastest way in; on SQLite with one
prepared statement executed many times. Either way the batch is part of the caller's
transaction, so it is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Connection, Table

from alarmvern.store import partitions
from alarmvern.store.partitions import PARTITIONED, quote


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts of column → value) in the caller's transaction."""
    if not rows:
        return 0
    defaults = _defaults(table, rows[0])
    complete = [{**defaults, **row} for row in rows] if defaults else list(rows)
    if conn.dialect.name == "postgresql":
        time_column = PARTITIONED.get(table.name)
        if time_column is not None:
            partitions.ensure(conn, table.name, {row[time_column] for row in complete})
        _copy(conn, table, complete)
    else:
        conn.execute(table.insert(), complete)
    return len(complete)


def _defaults(table: Table, sample: Mapping[str, Any]) -> dict[str, Any]:
    # COPY bypasses SQLAlchemy's Python-side defaults, so they are applied here, once per batch
    # (a callable default such as the current time is taken once for the whole batch).
    found: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in sample or default is None:
            continue
        if default.is_scalar:
            found[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            found[column.name] = default.arg(None)  # type: ignore[attr-defined]
    return found


def _copy(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    quoted = ", ".join(quote(c) for c in columns)
    statement = f"COPY {quote(table.name)} ({quoted}) FROM STDIN"
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    Jsonb(row[c]) if c in json_columns and row[c] is not None else row[c]
                    for c in columns
                ]
            )
