"""Small helpers the customer-service changes share: inserts, the audit line, lookups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select

from alarmvern import audit
from alarmvern.customers.errors import InputError
from alarmvern.store.tables import persons

RELATIONSHIP = "customer-relationship"  # the policy activity these changes serve
MONITORING = "alarm-monitoring"


def insert(conn: Connection, table: Table, **values: Any) -> int:
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def row(conn: Connection, table: Table, ident: int, field: str) -> Any:
    """The row ``ident`` of ``table``; an error naming ``field`` when there is none."""
    found = conn.execute(select(table).where(table.c.id == ident)).first()
    if found is None:
        raise InputError(field, f"finnes ikke ({ident})", f"does not exist ({ident})")
    return found


def note(
    conn: Connection, actor: str, action: str, subject: str, purpose: str, **details: Any
) -> None:
    """Audit one change: ids and field names only, never the values."""
    audit.append(
        conn, actor=actor, action=action, subject=subject, purpose=purpose, details=details
    )


def changed(before: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Of ``values``, those that differ from the stored row ``before``."""
    return {k: v for k, v in values.items() if getattr(before, k) != v}


def new_person(conn: Connection, **values: Any) -> int:
    return insert(conn, persons, **values)
