"""The SQL of a sweep: which rows are due, held back, excepted, or not yet done."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Table,
    and_,
    case,
    exists,
    false,
    not_,
    or_,
    select,
    text,
    true,
)

from alarmvern.policy.model import Condition, Disposal
from alarmvern.retention import strategies
from alarmvern.retention.due import cutoff
from alarmvern.retention.plan import Unit
from alarmvern.store import removal
from alarmvern.store.datamap import Earliest, Via
from alarmvern.store.tables import (
    contracts,
    customer_accounts,
    incidents,
    legal_holds,
    metadata,
    rights_requests,
)


def primary_key(table: Table) -> Column[Any]:
    return next(iter(table.primary_key.columns))


def anchor_expression(unit: Unit, anchor: str) -> ColumnElement[Any]:
    spec = unit.binding.anchors[anchor]
    if isinstance(spec, str):
        return unit.table.c[spec]
    if isinstance(spec, Earliest):
        own, other = unit.table.c[spec.column], _via(unit, spec.via)
        return case((own.is_(None), other), (other.is_(None), own), (own < other, own), else_=other)
    return _via(unit, spec)


def _via(unit: Unit, spec: Via) -> ColumnElement[Any]:
    target = metadata.tables[spec.table]
    return (
        select(target.c[spec.column])
        .where(primary_key(target) == unit.table.c[spec.fk])
        .scalar_subquery()
    )


def due(unit: Unit, now: datetime) -> ColumnElement[bool]:
    """Rows every rule of ``unit`` is done with at ``now``."""
    clauses = []
    for r in unit.rules:
        limit = cutoff(r.rule, now)
        if limit is None or r.rule.from_ is None:
            return false()
        value, strict = limit
        expression = anchor_expression(unit, str(r.rule.from_))
        clauses.append(expression < value if strict else expression <= value)
    return and_(true(), *clauses) if clauses else false()


@dataclass(frozen=True)
class ActiveHold:
    id: int
    target_table: str
    target_id: int
    ends_on: date


# PostgreSQL: a sweep batch reads the holds and deletes under a shared lock; placing a hold
# takes it exclusively, so a hold is never placed between a batch's read and its delete.
# (SQLite needs none: its write transactions already run one at a time.)
_HOLDS_LOCK = 0x484F4C44


def lock_holds(conn: Connection, exclusive: bool) -> None:
    if conn.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        conn.execute(text(f"SELECT {function}(:k)"), {"k": _HOLDS_LOCK})


def active_holds(conn: Connection, today: date) -> list[ActiveHold]:
    """The holds in force; call :func:`lock_holds` first in a transaction that deletes."""
    rows = conn.execute(
        select(
            legal_holds.c.id,
            legal_holds.c.target_table,
            legal_holds.c.target_id,
            legal_holds.c.ends_on,
        ).where(legal_holds.c.released_at.is_(None), legal_holds.c.ends_on >= today)
    )
    return [ActiveHold(r.id, r.target_table, int(r.target_id), r.ends_on) for r in rows]


def held(table: Table, holds: Sequence[ActiveHold]) -> ColumnElement[bool]:
    """Rows a hold names, directly or through a row they point to (their incident, their
    person, their customer account, …)."""
    by_table: dict[str, set[int]] = {}
    for hold in holds:
        by_table.setdefault(hold.target_table, set()).add(hold.target_id)
    clauses: list[ColumnElement[bool]] = []
    if table.name in by_table:
        clauses.append(primary_key(table).in_(sorted(by_table[table.name])))
    for fk in table.foreign_keys:
        ids = by_table.get(fk.column.table.name)
        if ids:
            # "NULL IN (…)" is NULL, and NOT NULL would hide the row from the sweep too.
            clauses.append(and_(fk.parent.is_not(None), fk.parent.in_(sorted(ids))))
    return or_(false(), *clauses)


def excepted(unit: Unit) -> ColumnElement[bool]:
    """Rows kept all the same by a rule's ``unless`` conditions."""
    conditions = {c for r in unit.rules for c in r.rule.unless}
    # A condition the table cannot answer keeps the row: better late than wrongly deleted.
    clauses = [_condition(unit, c) for c in sorted(conditions)]
    return or_(false(), *[true() if c is None else c for c in clauses])


def _condition(unit: Unit, condition: Condition) -> ColumnElement[bool] | None:
    table, binding = unit.table, unit.binding
    subject = table.c[binding.subject] if binding.subject else None
    account = table.c[binding.account] if binding.account else None
    if condition is Condition.became_customer:
        clauses: list[ColumnElement[bool]] = []
        if subject is not None:
            clauses.append(exists().where(customer_accounts.c.holder_person_id == subject))
        if "became_account_id" in table.c:
            clauses.append(table.c.became_account_id.is_not(None))
        return or_(false(), *clauses)
    if condition is Condition.active_contract and account is not None:
        return exists().where(contracts.c.account_id == account, contracts.c.ended_at.is_(None))
    if condition is Condition.open_incident and account is not None:
        return exists().where(incidents.c.account_id == account, incidents.c.closed_at.is_(None))
    if condition is Condition.open_request and subject is not None:
        return exists().where(
            rights_requests.c.person_id == subject, rights_requests.c.closed_at.is_(None)
        )
    return None


def to_do(unit: Unit) -> ColumnElement[bool]:
    """Rows the unit has not finished with (every row, for a deletion)."""
    if unit.is_row and unit.disposal is Disposal.delete:
        return true()
    strategy = unit.strategy if unit.disposal is Disposal.anonymise else strategies.DROP
    clauses = [strategies.to_do(strategy, unit.table.c[c]) for c in unit.columns]
    if unit.subject_link:
        clauses.append(unit.table.c[unit.subject_link].is_not(None))
    return or_(false(), *clauses)


def blocked(table: Table, required_only: bool = True) -> ColumnElement[bool]:
    """Rows that rows elsewhere still need (a required reference to them): not deletable yet.
    With ``required_only=False``: rows anything at all still points to. Rows owned by them
    (a login's sessions) block nothing: they go with them (``removal.OWNED``)."""
    clauses = [
        exists().where(fk.parent == fk.column)
        for fk in removal.foreign_keys_to(table.name)
        if not (required_only and fk.parent.nullable) and not removal.owned(fk)
    ]
    return or_(false(), *clauses)


def eligible(unit: Unit, now: datetime, holds: Sequence[ActiveHold]) -> ColumnElement[bool]:
    clauses = [due(unit, now), not_(held(unit.table, holds)), not_(excepted(unit)), to_do(unit)]
    if unit.is_row and unit.disposal is Disposal.delete:
        clauses.append(not_(blocked(unit.table)))
    return and_(*clauses)
