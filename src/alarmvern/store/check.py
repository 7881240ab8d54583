"""The data-map check: every category the store holds must be covered by the policy.

A table that holds rows of a category that no processing activity covers, or that no
retention rule covers, stops the system: nobody has promised anything about that data.
A table that is empty but uncovered is a warning: it must be covered before it is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, Table, select

from alarmvern.policy import Policy
from alarmvern.store.datamap import bindings
from alarmvern.store.tables import metadata


@dataclass(frozen=True)
class Gap:
    table: str
    category: str
    missing: Literal["activity", "retention"]
    severity: Literal["error", "warning"]

    def __str__(self) -> str:
        what = (
            "no processing activity covers it"
            if self.missing == "activity"
            else "no retention rule covers it"
        )
        state = "holds data" if self.severity == "error" else "is empty"
        return f"table {self.table} ({state}): category {self.category}: {what}"


def gaps(policy: Policy, populated: Iterable[str] | None = None) -> list[Gap]:
    """Uncovered table × category pairs; ``populated`` names the tables that hold rows."""
    holding = set(populated) if populated is not None else {t.name for t, _ in bindings(metadata)}
    found = []
    for table, binding in bindings(metadata):
        severity: Literal["error", "warning"] = "error" if table.name in holding else "warning"
        for category in binding.categories():
            if not policy.activities_for(category):
                found.append(Gap(table.name, category, "activity", severity))
            elif not policy.retention_for(category):
                found.append(Gap(table.name, category, "retention", severity))
    return found


def populated_tables(conn: Connection) -> set[str]:
    return {table.name for table, _ in bindings(metadata) if _has_rows(conn, table)}


def _has_rows(conn: Connection, table: Table) -> bool:
    return conn.execute(select(1).select_from(table).limit(1)).first() is not None


def tables_by_category() -> dict[str, list[str]]:
    """Category → the tables holding it, for the record of processing."""
    found: dict[str, list[str]] = {}
    for table, binding in bindings(metadata):
        for category in binding.categories():
            found.setdefault(category, []).append(table.name)
    return found
