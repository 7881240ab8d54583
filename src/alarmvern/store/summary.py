"""What the store holds, per category and table (for the demo and the DPO)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from alarmvern.store.datamap import bindings
from alarmvern.store.tables import metadata


@dataclass(frozen=True)
class CategoryCount:
    category: str
    table: str
    rows: int


def rows_per_category(conn: Connection) -> list[CategoryCount]:
    counts: list[CategoryCount] = []
    for table, binding in bindings(metadata):
        rows = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        counts.extend(CategoryCount(c, table.name, rows) for c in binding.categories())
    return sorted(counts, key=lambda c: (c.category, c.table))
