"""The policy versions the system has run on, each with its difference from the one before,
and the customers to tell before a material change applies (art. 13(3), 14(4)).

One home for the DPO console, the API and the CLI (``alarmvern policy versions``). A version
stored by an earlier program that this one can no longer load is listed as unreadable, and
the next readable version is compared with the last one that loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from alarmvern.policy import PolicyError, loads
from alarmvern.policy.diff import PolicyDiff, diff
from alarmvern.store.tables import customer_accounts, persons, policy_versions
from alarmvern.store.tables.columns import as_utc


@dataclass(frozen=True)
class Version:
    id: int
    name: str
    version: str
    policy_date: date
    applied_at: datetime
    sha256: str
    changes: PolicyDiff | None  # from the readable version before; None for the first
    previous_id: int | None = None
    unreadable: bool = False

    @property
    def material(self) -> bool:
        return self.changes is not None and self.changes.material


def history(conn: Connection) -> list[Version]:
    """Every version, newest first, each with its changes from the readable one before."""
    rows = conn.execute(
        select(policy_versions).order_by(policy_versions.c.applied_at, policy_versions.c.id)
    ).all()
    found: list[Version] = []
    before = None
    before_id: int | None = None
    for row in rows:
        try:
            current = loads(row.source, name=row.name).policy
        except PolicyError:
            current = None
        changes = diff(before, current) if before is not None and current is not None else None
        found.append(
            Version(
                int(row.id),
                row.name,
                row.version,
                row.policy_date,
                as_utc(row.applied_at),
                row.sha256,
                changes,
                previous_id=before_id if current is not None else None,
                unreadable=current is None,
            )
        )
        if current is not None:
            before, before_id = current, int(row.id)
    return list(reversed(found))


def page(conn: Connection, *, after: int | None = None, limit: int = 100) -> list[Any]:
    """At most ``limit`` stored versions in the order they were stored (by id), after the
    version ``after``, without loading them: the API's list, a keyset page at a time."""
    v = policy_versions.c
    query = select(v.id, v.name, v.version, v.sha256, v.policy_date, v.applied_at)
    if after is not None:
        query = query.where(v.id > after)
    return list(conn.execute(query.order_by(v.id).limit(limit)).all())


def find(conn: Connection, version_id: int) -> Version | None:
    return next((v for v in history(conn) if v.id == version_id), None)


def _current_customer() -> ColumnElement[bool]:
    """A customer to tell: an account not ended, with a holder to reach."""
    return customer_accounts.c.ended_at.is_(None) & customer_accounts.c.holder_person_id.is_not(
        None
    )


def accounts_to_tell(conn: Connection) -> list[int]:
    """The accounts whose holders are told of a material change, in account order."""
    ids = conn.execute(
        select(customer_accounts.c.id).where(_current_customer()).order_by(customer_accounts.c.id)
    ).scalars()
    return [int(i) for i in ids]


@dataclass(frozen=True)
class CustomerToTell:
    customer_no: str
    person_id: int
    name: str | None
    email: str | None
    phone: str | None
    org_name: str | None


def customers_to_tell(
    conn: Connection, *, limit: int, offset: int
) -> tuple[int, list[CustomerToTell]]:
    """The total, and one page of the customers to tell with where to reach them."""
    total = conn.execute(
        select(func.count()).select_from(customer_accounts).where(_current_customer())
    ).scalar_one()
    rows = conn.execute(
        select(
            customer_accounts.c.customer_no,
            persons.c.id,
            persons.c.name,
            persons.c.email,
            persons.c.phone,
            customer_accounts.c.org_name,
        )
        .join(persons, persons.c.id == customer_accounts.c.holder_person_id)
        .where(_current_customer())
        .order_by(customer_accounts.c.customer_no)
        .limit(limit)
        .offset(offset)
    ).all()
    return int(total), [CustomerToTell(*row) for row in rows]
