"""Monthly range partitions of the time-partitioned tables (PostgreSQL only).

Alarm events and media are partitioned by time, so that a retention sweep can drop a month
that is wholly due instead of deleting it row by row. Partitions are made on demand, before
a batch that needs them is written. Rows for a month without a partition land in the default
partition; making that month's partition later moves them in.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

# Table → its partition column.
PARTITIONED = {"alarm_events": "occurred_at", "media": "captured_at"}
_NAME = re.compile(r"^(?P<table>.+)_p(?P<year>\d{4})(?P<month>\d{2})$")
_known: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    start: datetime
    end: datetime  # exclusive


def quote(identifier: str) -> str:
    """An identifier, quoted for SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def month_start(at: datetime) -> datetime:
    return datetime(at.year, at.month, 1, tzinfo=UTC)


def next_month(start: datetime) -> datetime:
    return datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)


def partition_name(table: str, start: datetime) -> str:
    return f"{table}_p{start.year:04d}{start.month:02d}"


def partitions(conn: Connection, table: str) -> list[Partition]:
    """The monthly partitions of ``table``, oldest first."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t"
        ),
        {"t": table},
    ).scalars()
    found = []
    for name in rows:
        match = _NAME.match(name)
        if match:
            start = datetime(int(match["year"]), int(match["month"]), 1, tzinfo=UTC)
            found.append(Partition(table, name, start, next_month(start)))
    return sorted(found, key=lambda p: p.start)


def ensure(conn: Connection, table: str, moments: set[datetime]) -> None:
    """Make sure a partition exists for the month of each of ``moments``."""
    if conn.dialect.name != "postgresql" or table not in PARTITIONED:
        return
    known = _known.setdefault(conn.engine, set())
    for start in sorted({month_start(m.astimezone(UTC)) for m in moments}):
        name = partition_name(table, start)
        if name not in known:
            _create(conn, table, start)
            known.add(name)


def forget(engine: Engine, name: str) -> None:
    """Drop ``name`` from the cache of partitions known to exist (after dropping it)."""
    _known.get(engine, set()).discard(name)


def _create(conn: Connection, table: str, start: datetime) -> None:
    name, end = partition_name(table, start), next_month(start)
    exists = conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
    if exists:
        return
    column = PARTITIONED[table]
    default = quote(f"{table}_default")
    bounds = {"lo": start, "hi": end}
    strays = conn.execute(
        text(f"SELECT 1 FROM {default} WHERE {column} >= :lo AND {column} < :hi LIMIT 1"), bounds
    ).first()
    if strays is None:
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {quote(name)} PARTITION OF {quote(table)} "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
        )
        return
    # Rows of this month wait in the default partition: move them into the new one.
    conn.execute(text(f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS)"))
    conn.execute(
        text(
            f"WITH moved AS (DELETE FROM {default} WHERE {column} >= :lo AND {column} < :hi "
            f"RETURNING *) INSERT INTO {quote(name)} SELECT * FROM moved"
        ),
        bounds,
    )
    conn.execute(
        text(
            f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} "
            f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        )
    )
