"""A table's rows about the person as JSON text made by PostgreSQL, for the access package.

Turning thousands of rows into JSON in Python was most of an access package's time on
PostgreSQL; here the server writes each row's JSON, and the package takes its bytes as they
come. What the person reads is the same as :class:`alarmvern.rights.export.Reader` gives, value
for value: times in UTC as Python's ``isoformat`` writes them, amounts as text, a credential
or keyed hash as the note that stands in for it, binary values left out. A table with a field
to decrypt is the Reader's: the key never reaches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Label,
    Table,
    Text,
    case,
    cast,
    func,
    literal,
    null,
    select,
)

from alarmvern.retention.predicates import primary_key
from alarmvern.rights.export import ENCRYPTED_SUFFIX, NOTES
from alarmvern.rights.scope import Scope, selection
from alarmvern.store.datamap import Binding

# Rows of JSON text read at a time: a page of a few megabytes, and one round trip for the
# rows of most people (a server-side cursor costs three or more, even for one page).
PAGE = 5000
# Python's isoformat: seconds, then microseconds only when there are any, then the offset.
_SECONDS = 'YYYY-MM-DD"T"HH24:MI:SS'


@dataclass
class Page:
    """Rows as JSON objects, in key order, with the text of each one's time column."""

    rows: list[str]
    times: list[str | None]


def applies(conn: Connection, table: Table, binding: Binding) -> bool:
    """Whether PostgreSQL can write this table's rows as the person reads them."""
    return conn.dialect.name == "postgresql" and _columns(table, binding) is not None


# Table name → its columns as the person reads them (None: the Reader's table). Worked out
# once: the expressions cost more to build than the statement does to compile from cache.
_COLUMNS: dict[str, list[Label[Any]] | None] = {}


def _columns(table: Table, binding: Binding) -> list[Label[Any]] | None:
    if table.name not in _COLUMNS:
        values = [_value(c, binding) for c in table.c]
        readable = binding.blob is None and not any(
            c.name.endswith(ENCRYPTED_SUFFIX) for c in table.c
        )
        _COLUMNS[table.name] = (
            [v.label(c.name) for c, v in zip(table.c, values, strict=True) if v is not None]
            if readable and all(v is not None for v in values)
            else None
        )
    return _COLUMNS[table.name]


def pages(
    conn: Connection,
    table: Table,
    binding: Binding,
    scope: Scope,
    count: int | None,
    time_column: str | None,
) -> Iterator[Page]:
    """The person's rows of ``table`` (those :func:`applies` to), a page at a time. Read
    them inside :func:`alarmvern.rights.scope.whole_results`."""
    where = selection(table, binding, scope)
    if where is None or count == 0:
        return
    values = _columns(table, binding)
    assert values is not None, table.name
    row = select(*values).where(where).subquery("r")
    moment = row.c[time_column] if time_column else null()
    query = select(cast(func.row_to_json(row.table_valued()), Text), moment).order_by(
        row.c[primary_key(table).name]
    )
    if count is None or count > PAGE:
        query = query.execution_options(stream_results=True, yield_per=PAGE)
    for part in conn.execute(query).partitions(PAGE):
        yield Page([r[0] for r in part], [r[1] for r in part])


def _value(column: Column[Any], binding: Binding) -> ColumnElement[Any] | None:
    """The column as the person reads it, or None where only Python knows how."""
    kind = binding.stored_as(column.name)
    if kind is not None:
        return case((column.is_(None), null()), else_=literal(NOTES[kind], Text))
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return None
    if python_type is datetime:
        return _utc_iso(column)
    if python_type is Decimal:
        return cast(column, Text)
    if python_type is bytes:
        return null()
    if python_type in (str, int, float, bool, date, dict, list, object):
        return column  # JSON columns, dates and the rest: PostgreSQL's JSON is the same
    return None


def _utc_iso(column: Column[Any]) -> ColumnElement[str]:
    utc = func.timezone("UTC", column)
    fraction = case(
        (func.date_trunc("second", utc) == utc, literal("", Text)),
        else_=func.to_char(utc, ".US", type_=Text),
    )
    return func.to_char(utc, _SECONDS, type_=Text) + fraction + literal("+00:00", Text)
