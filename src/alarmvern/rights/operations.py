"""The primitive changes an erasure is made of, applied by row id, and journalled as such.

An erasure decides once which rows go, which lose their link to the person and which are
anonymised; the result is a list of :class:`Op`. Applying an op twice changes nothing the
second time, so the same list re-applied to a restored backup (``rights replay-erasures``)
erases exactly what was erased before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Delete,
    Table,
    Update,
    delete,
    func,
    select,
    update,
)

from alarmvern.retention import strategies
from alarmvern.retention.predicates import primary_key
from alarmvern.store import removal
from alarmvern.store.tables import metadata
from alarmvern.vault import Vault

CHUNK = 5000  # ids per statement: keeps every statement under the databases' parameter limits


@dataclass
class Op:
    table: str
    op: Literal["delete", "unlink", "anonymise"]
    ids: list[int]
    columns: dict[str, str] = field(default_factory=dict)  # column → "null" | "pseudonym"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Op:
        return Op(data["table"], data["op"], list(data["ids"]), dict(data.get("columns", {})))


def chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def apply(conn: Connection, vault: Vault, op: Op, now: datetime, blob: str | None) -> int:
    """Carry out one op in the caller's transaction; return the rows it changed."""
    table = metadata.tables[op.table]
    if op.op == "delete":
        return _delete(conn, table, op.ids, now, blob)
    if op.op == "unlink":
        (column,) = op.columns
        return _update(conn, table, op.ids, {column: None})
    return _anonymise(conn, vault, table, op)


def _delete(
    conn: Connection, table: Table, ids: Sequence[int], now: datetime, blob: str | None
) -> int:
    key = primary_key(table)
    return sum(len(delete_where(conn, table, key.in_(part), now, blob)) for part in chunks(ids))


def delete_where(
    conn: Connection, table: Table, where: ColumnElement[bool], now: datetime, blob: str | None
) -> list[int]:
    """Delete the rows ``where`` selects, in one statement; return their ids (for the
    journal). A first erasure uses this: a long list of ids would only slow it down."""
    key = primary_key(table)
    removal.release(conn, table, select(key).where(where))
    returned = [key, table.c[blob]] if blob else [key]
    ids, *blobs = returning(conn, delete(table).where(where), returned)
    if blob:
        removal.tombstone(conn, table, blobs[0], now)
    return [int(i) for i in ids]


def unlink_where(
    conn: Connection, table: Table, where: ColumnElement[bool], column: str
) -> list[int]:
    """Cut the rows' link to the person, in one statement; return their ids."""
    key = primary_key(table)
    (ids,) = returning(conn, update(table).where(where).values({column: None}), [key])
    return [int(i) for i in ids]


def returning(
    conn: Connection, statement: Delete | Update, columns: list[Column[Any]]
) -> list[list[Any]]:
    """Run ``statement``; return the values of ``columns`` in the rows it changed, one list
    per column.

    PostgreSQL sends them as one array per column. As rows, a person's thousands of events
    were as many objects alive at once, which the garbage collector moved to its oldest
    generation; that set off its collection of the whole process (some 80 ms, with the
    tables and the policy loaded) every few erasures, and those were the erasure's p99.
    SQLite cannot aggregate what a statement deletes: its rows come back as rows."""
    if conn.dialect.name == "postgresql":
        changed = statement.returning(*columns).cte("changed")
        found = conn.execute(select(*(func.array_agg(changed.c[c.name]) for c in columns)))
        return [list(values or []) for values in found.one()]
    rows = conn.execute(statement.returning(*columns)).all()
    return [[row[n] for row in rows] for n in range(len(columns))]


def _update(conn: Connection, table: Table, ids: Sequence[int], values: dict[str, Any]) -> int:
    key = primary_key(table)
    done = 0
    for part in chunks(ids):
        done += conn.execute(update(table).where(key.in_(part)).values(values)).rowcount
    return done


def _anonymise(conn: Connection, vault: Vault, table: Table, op: Op) -> int:
    """Personal columns become NULL, or a keyed pseudonym where the column may not be NULL."""
    key = primary_key(table)
    pseudonymise = strategies.pseudonymiser(conn, vault)
    done = 0
    for part in chunks(op.ids):
        columns = [table.c[c] for c in op.columns]
        for row in conn.execute(select(key, *columns).where(key.in_(part))):
            values: dict[str, Any] = {}
            for column, how in op.columns.items():
                current = row._mapping[column]
                values[column] = (
                    None if how == "null" or current is None else _pseudonym(current, pseudonymise)
                )
            if "anonymised_at" in table.c:
                values["anonymised_at"] = datetime.now().astimezone()
            conn.execute(update(table).where(key == row._mapping[key.name]).values(values))
            done += 1
    return done


def _pseudonym(value: Any, pseudonymise: Callable[[str], str]) -> str:
    text = str(value)
    return text if text.startswith("anon-") else "anon-" + pseudonymise(text)


def shred_subjects(conn: Connection, vault: Vault, subjects: Sequence[str]) -> int:
    return sum(vault.shred(conn, s) for s in subjects)
