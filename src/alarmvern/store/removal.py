"""What deleting a row entails elsewhere in the store: rows that point at it, and its blob.

The retention sweep and the erasure of a person delete rows the same way: a nullable
reference to a row about to go is cut (the other row stays, unlinked), a required one keeps
the row from going, and a deleted row's blob id becomes a tombstone in the same transaction.
Rows that are only a part of the row they point at (a login's sessions and link tokens)
block nothing: they are deleted with it (:data:`OWNED`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Select,
    Table,
    Update,
    case,
    delete,
    literal,
    or_,
    select,
    update,
)

from alarmvern.store.tables import blob_tombstones, login_tokens, metadata, sessions


@functools.cache
def foreign_keys_to(table_name: str) -> tuple[ForeignKey, ...]:
    """Every foreign key that points at ``table_name`` (the metadata never changes, and
    sorting its tables is not free)."""
    return tuple(
        fk
        for other in metadata.sorted_tables
        for fk in other.foreign_keys
        if fk.column.table.name == table_name
    )


# Tables whose rows exist only for the row they point at, and go with it.
OWNED: dict[str, tuple[Column[Any], ...]] = {
    "logins": (sessions.c.login_id, login_tokens.c.login_id),
}


def owned(fk: ForeignKey) -> bool:
    """Whether ``fk``'s rows are part of the row it points at (deleted with it)."""
    return any(fk.parent is c for c in OWNED.get(fk.column.table.name, ()))


def nullable_references(table_name: str) -> list[tuple[Table, Column[Any]]]:
    """The nullable foreign-key columns that point at ``table_name``, with their tables."""
    found = []
    for fk in foreign_keys_to(table_name):
        if fk.parent.nullable:
            assert isinstance(fk.parent.table, Table)
            found.append((fk.parent.table, fk.parent))
    return found


def release(conn: Connection, table: Table, ids: Sequence[Any] | Select[Any]) -> None:
    """Rows elsewhere that may point nowhere stop pointing at rows about to go; rows owned
    by them (:data:`OWNED`) are deleted."""
    for column in OWNED.get(table.name, ()):
        conn.execute(delete(column.table).where(column.in_(ids)))
    references = nullable_references(table.name)
    if conn.dialect.name == "postgresql" and isinstance(ids, Select) and len(references) > 1:
        # One statement, not one per table (a person is pointed at from a dozen): each cut
        # is a data-modifying WITH of its own. A query of ids, unlike a list of them, is
        # not bound again in every one of them (the parameter limit).
        columns: dict[Table, list[Column[Any]]] = {}
        for other, column in references:
            columns.setdefault(other, []).append(column)
        cuts = [
            _cut(other, cut, ids).cte(f"cut_{n}") for n, (other, cut) in enumerate(columns.items())
        ]
        conn.execute(select(literal(1)).add_cte(*cuts))
        return
    for other, column in references:
        conn.execute(update(other).where(column.in_(ids)).values({column.name: None}))


def _cut(other: Table, columns: list[Column[Any]], ids: Select[Any]) -> Update:
    """One UPDATE of ``other`` emptying each of ``columns`` that points at one of ``ids``
    (a row is updated once per statement, so a table's columns are cut together)."""
    return (
        update(other)
        .where(or_(*(c.in_(ids) for c in columns)))
        .values(
            {c.name: None for c in columns}
            if len(columns) == 1
            else {c.name: case((c.in_(ids), None), else_=c) for c in columns}
        )
    )


def tombstone(conn: Connection, table: Table, blob_ids: Iterable[Any], now: datetime) -> None:
    """Note the blobs of rows just deleted, for ``finish_tombstones`` to remove after the
    commit."""
    stones = [{"blob_id": b, "source_table": table.name, "deleted_at": now} for b in blob_ids if b]
    if stones:
        conn.execute(blob_tombstones.insert(), stones)
