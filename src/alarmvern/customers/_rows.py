"""Small helpers the customer-service changes share: inserts, the audit line, lookups."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, select

from alarmvern import audit
from alarmvern.customers.errors import ConflictError, MissingError
from alarmvern.store.tables import customer_accounts, persons

RELATIONSHIP = "customer-relationship"  # the policy activity these changes serve
MONITORING = "alarm-monitoring"


# These run many times a second in an import: a statement built once and given its values as
# parameters costs SQLAlchemy a fraction of one built (and its cache key made) every call.


@cache
def _insert_of(table: Table) -> Any:
    return table.insert()


@cache
def by_id(table: Table) -> Select[Any]:
    """``SELECT * FROM table WHERE id = :ident``, built once."""
    return select(table).where(table.c.id == bindparam("ident"))


def insert(conn: Connection, table: Table, **values: Any) -> int:
    key = conn.execute(_insert_of(table), values).inserted_primary_key
    assert key is not None
    return int(key[0])


def row(conn: Connection, table: Table, ident: int, field: str) -> Any:
    """The row ``ident`` of ``table``; an error naming ``field`` when there is none."""
    found = conn.execute(by_id(table), {"ident": ident}).first()
    if found is None:
        raise MissingError(field, f"finnes ikke ({ident})", f"does not exist ({ident})")
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


def ended() -> ConflictError:
    """The refusal of a change to an account whose relationship has ended."""
    return ConflictError(
        "account_id", "kundeforholdet er avsluttet", "the customer relationship has ended"
    )


def open_account(conn: Connection, account_id: int) -> Any:
    """The account ``account_id``, refused if there is none or its relationship has ended."""
    account = row(conn, customer_accounts, account_id, "account_id")
    if account.ended_at is not None:
        raise ended()
    return account
