"""Everything stored about one person, found by walking the data map.

A row concerns the person when its subject column names them, when it belongs to a customer
account they hold, or when its hashed identifier is the keyed hash of their e-mail address or
phone number. No table is named here: a new personal table is covered by its binding alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Row,
    Select,
    Table,
    bindparam,
    func,
    or_,
    select,
    text,
)

from alarmvern.retention.predicates import primary_key
from alarmvern.store.datamap import Binding, bindings
from alarmvern.store.tables import customer_accounts, metadata, persons
from alarmvern.vault import Vault

# Rows are read in pages of this many, so memory does not grow with the number of events.
PAGE = 1000


@dataclass(frozen=True)
class Scope:
    person_id: int
    account_ids: tuple[int, ...]
    identifier_hashes: tuple[str, ...]

    @property
    def subject(self) -> str:
        return f"person:{self.person_id}"


def identifiers(conn: Connection, person_id: int) -> list[str]:
    """The person's e-mail address and phone number as lookups hash them."""
    row = conn.execute(
        select(persons.c.email, persons.c.phone).where(persons.c.id == person_id)
    ).first()
    if row is None:
        return []
    return _normalised(row.email, row.phone)


def _normalised(*values: str | None) -> list[str]:
    return [normalise(v) for v in values if v]


def normalise(identifier: str) -> str:
    """One spelling per identifier: e-mail lower-case, phone digits with a leading +."""
    identifier = identifier.strip()
    if "@" in identifier:
        return identifier.lower()
    digits = "".join(c for c in identifier if c.isdigit())
    return "+" + (digits if identifier.startswith("+") or len(digits) > 8 else "47" + digits)


def scope_of(conn: Connection, vault: Vault, person_id: int) -> Scope:
    """Who the person is to the store: their accounts and hashed identifiers, in one look."""
    holds = customer_accounts.c.holder_person_id == persons.c.id
    found = conn.execute(
        select(persons.c.email, persons.c.phone, customer_accounts.c.id)
        .select_from(persons.outerjoin(customer_accounts, holds))
        .where(persons.c.id == person_id)
        .order_by(customer_accounts.c.id)
    ).all()
    accounts = tuple(int(r.id) for r in found if r.id is not None)
    plain = _normalised(found[0].email, found[0].phone) if found else []
    hashes = tuple(vault.lookup_hash(conn, i) for i in plain)
    return Scope(person_id, accounts, hashes)


def selection(table: Table, binding: Binding, scope: Scope) -> ColumnElement[bool] | None:
    """Which rows of ``table`` concern the person, or None where none can."""
    return _where(
        table,
        binding,
        scope.person_id,
        scope.account_ids if scope.account_ids else None,
        scope.identifier_hashes if scope.identifier_hashes else None,
    )


def _where(
    table: Table, binding: Binding, person: Any, accounts: Any, hashes: Any
) -> ColumnElement[bool] | None:
    """:func:`selection` for values or bound parameters (None: the person has none)."""
    clauses: list[ColumnElement[bool]] = []
    if binding.subject:
        clauses.append(table.c[binding.subject] == person)
    if binding.account and accounts is not None:
        clauses.append(table.c[binding.account].in_(accounts))
    if binding.hashed and hashes is not None:
        clauses.append(table.c[binding.hashed].in_(hashes))
    return or_(*clauses) if clauses else None


@functools.cache
def _personal_tables() -> tuple[tuple[Table, Binding], ...]:
    return tuple(bindings(metadata))


def personal_tables() -> list[tuple[Table, Binding]]:
    """Every personal table and its binding, parents first."""
    return list(_personal_tables())


@contextmanager
def whole_results(conn: Connection) -> Iterator[None]:
    """A block whose :func:`rows` are read to the end, and planned for that.

    PostgreSQL plans a server-side cursor for the first tenth of its rows (its
    ``cursor_tuple_fraction``): for the person's events in key order it then walks the whole
    table by its primary key, filtering, rather than fetch their rows by the account and
    person indexes and sort them, which on a large table is many times slower. Every row is
    wanted here, so the cursors in this block are planned for all of them; the setting is
    put back after the block (it is local to the transaction in any case). Nor are they
    shared among parallel workers: a person's rows are a few thousand, and starting workers
    for them costs more than it saves (it made one customer's events ten times slower to
    fetch in key order). SQLite plans no cursors: nothing changes there."""
    if conn.dialect.name != "postgresql":
        yield
        return
    previous = conn.execute(
        text(
            "SELECT current_setting('cursor_tuple_fraction'), "
            "current_setting('max_parallel_workers_per_gather'), "
            "set_config('cursor_tuple_fraction', '1', true), "
            "set_config('max_parallel_workers_per_gather', '0', true)"
        )
    ).one()
    yield
    # Not after an error: the settings end with the transaction, which may have failed.
    conn.execute(
        text(
            "SELECT set_config('cursor_tuple_fraction', :f, true), "
            "set_config('max_parallel_workers_per_gather', :w, true)"
        ),
        {"f": previous[0], "w": previous[1]},
    )


def counts(conn: Connection, scope: Scope, tables: list[tuple[Table, Binding]]) -> dict[str, int]:
    """How many rows of each of ``tables`` concern the person, all in one statement: a table
    with none is then not read at all, and one with a page or less in a single round trip."""
    accounts, hashes = bool(scope.account_ids), bool(scope.identifier_hashes)
    names, query = _counting(tuple(t for t, _ in tables), accounts, hashes)
    if query is None:
        return {}
    values: dict[str, Any] = {"person": scope.person_id}
    if accounts:
        values["accounts"] = list(scope.account_ids)
    if hashes:
        values["hashes"] = list(scope.identifier_hashes)
    row = conn.execute(query, values).one()
    return {name: int(n) for name, n in zip(names, row, strict=True)}


@functools.cache
def _counting(
    tables: tuple[Table, ...], accounts: bool, hashes: bool
) -> tuple[tuple[str, ...], Select[Any] | None]:
    """The counting statement for people with (or without) accounts and identifiers, made
    once: building its thirty-odd subqueries cost more than running it from the cache."""
    person: BindParameter[Any] = bindparam("person")
    account_ids: BindParameter[Any] | None = (
        bindparam("accounts", expanding=True) if accounts else None
    )
    hash_values: BindParameter[Any] | None = bindparam("hashes", expanding=True) if hashes else None
    binding_of = dict(_personal_tables())
    counted = {
        table.name: select(func.count()).select_from(table).where(where).scalar_subquery()
        for table in tables
        if (where := _where(table, binding_of[table], person, account_ids, hash_values)) is not None
    }
    if not counted:
        return (), None
    query = select(*(q.label(f"c{i}") for i, q in enumerate(counted.values())))
    return tuple(counted), query


def rows(
    conn: Connection, table: Table, binding: Binding, scope: Scope, count: int | None = None
) -> Iterator[Row[Any]]:
    """The person's rows of one table, in key order, streamed a page at a time (a server-side
    cursor on PostgreSQL; SQLite steps its cursor as rows are taken). Read them all inside
    :func:`whole_results`, or PostgreSQL may plan for the first few only.

    :param count: how many there are, from :func:`counts`: none are then not looked for, and
        a page or less is fetched at once (a server-side cursor costs three or more round
        trips, even for no rows)."""
    where = selection(table, binding, scope)
    if where is None or count == 0:
        return
    query = select(table).where(where).order_by(primary_key(table))
    if count is not None and count <= PAGE:
        yield from conn.execute(query)
        return
    yield from conn.execute(query.execution_options(stream_results=True, yield_per=PAGE))
