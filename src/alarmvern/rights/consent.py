"""Consent (art. 7): given, withdrawn, and what withdrawing it erases.

Withdrawing a consent erases the data held only for that activity (positions for the location
consent, for example): data of a category that another activity also processes stays, under
that activity's own rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Activity, LegalBasis, Policy
from alarmvern.rights.scope import personal_tables
from alarmvern.store.datamap import Binding
from alarmvern.store.tables import consents
from alarmvern.store.tables.columns import as_utc

# Who gives a consent on Mine Sider or through the API: the customer and panel users.
CUSTOMER_SUBJECTS = frozenset({"customer", "panel_user"})


class NotOffered(AlarmvernError):
    """The consent asked for is not one a customer can give or withdraw."""

    http_status = 404


def offered(policy: Policy) -> list[Activity]:
    """The consents a customer is offered (Mine Sider and the API alike), in policy order."""
    return [
        a
        for a in policy.activities
        if a.legal_basis is LegalBasis.consent and CUSTOMER_SUBJECTS & set(a.subjects)
    ]


def offered_activity(policy: Policy, activity: str) -> Activity:
    found = next((a for a in offered(policy) if a.id == activity), None)
    if found is None:
        raise NotOffered(
            f"ukjent samtykke: {activity}", f"unknown consent: {activity}", field="activity"
        )
    return found


@dataclass(frozen=True)
class ConsentState:
    """One offered consent as it stands for a person: the latest giving or withdrawal."""

    activity: Activity
    given: bool
    notice_version: str | None
    given_at: datetime | None
    withdrawn_at: datetime | None


def records(conn: Connection, person_id: int) -> list[Any]:
    """Every consent the person has given, withdrawn or not, oldest first."""
    query = (
        select(consents)
        .where(consents.c.person_id == person_id)
        .order_by(consents.c.given_at, consents.c.id)
    )
    return list(conn.execute(query).all())


def states(
    conn: Connection, policy: Policy, person_id: int, rows: list[Any] | None = None
) -> list[ConsentState]:
    """Each consent the policy offers as it stands for the person (from ``rows``, their
    :func:`records`, when the caller has read them)."""
    rows = records(conn, person_id) if rows is None else rows
    found = []
    for act in offered(policy):
        mine = [r for r in rows if r.activity == act.id]
        current = next((r for r in reversed(mine) if r.withdrawn_at is None), None)
        latest = current or (mine[-1] if mine else None)
        found.append(
            ConsentState(
                activity=act,
                given=current is not None,
                notice_version=latest.notice_version if latest else None,
                given_at=as_utc(latest.given_at) if latest else None,
                withdrawn_at=as_utc(latest.withdrawn_at)
                if latest and latest.withdrawn_at
                else None,
            )
        )
    return found


def _held_only_for(policy: Policy, activity: str) -> list[tuple[Table, Binding]]:
    """The person's tables whose category no activity but ``activity`` processes: what a
    withdrawal erases (blobs stay with their own rule)."""
    return [
        (table, binding)
        for table, binding in personal_tables()
        if {a.id for a in policy.activities_for(binding.category)} == {activity}
        and binding.subject is not None
        and not binding.blob
    ]


def erased_on_withdrawal(policy: Policy, activity: str) -> list[str]:
    """The categories withdrawing ``activity`` erases, to tell the person before they do."""
    return sorted({binding.category for _table, binding in _held_only_for(policy, activity)})


def _consent_activity(policy: Policy, activity: str) -> None:
    found = next((a for a in policy.activities if a.id == activity), None)
    if found is None or found.legal_basis is not LegalBasis.consent:
        choices = ", ".join(a.id for a in policy.activities if a.legal_basis is LegalBasis.consent)
        raise AlarmvernError(
            f"{activity!r} er ikke en behandling basert på samtykke ({choices})",
            f"{activity!r} is not an activity based on consent ({choices})",
            field="activity",
            code="not_consent",
        )


def has_consent(conn: Connection, person_id: int, activity: str) -> bool:
    query = select(consents.c.id).where(
        consents.c.person_id == person_id,
        consents.c.activity == activity,
        consents.c.withdrawn_at.is_(None),
    )
    return conn.execute(query.limit(1)).first() is not None


def give(
    conn: Connection,
    policy: Policy,
    person_id: int,
    activity: str,
    *,
    notice_version: str,
    channel: str,
    actor: str,
) -> None:
    _consent_activity(policy, activity)
    if has_consent(conn, person_id, activity):
        return
    conn.execute(
        consents.insert().values(
            person_id=person_id,
            activity=activity,
            notice_version=notice_version,
            given_at=datetime.now(UTC),
            channel=channel,
        )
    )
    _audit(conn, person_id, actor, "consent.given", activity, {})


def withdraw(
    conn: Connection, policy: Policy, person_id: int, activity: str, *, actor: str
) -> dict[str, int]:
    """Withdraw the consent and erase what was held only for it; return rows erased by table."""
    _consent_activity(policy, activity)
    withdrawn = conn.execute(
        update(consents)
        .where(
            consents.c.person_id == person_id,
            consents.c.activity == activity,
            consents.c.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=datetime.now(UTC))
    ).rowcount
    erased = erase_activity_data(conn, policy, person_id, activity)
    _audit(conn, person_id, actor, "consent.withdrawn", activity, {"consents": withdrawn, **erased})
    return erased


def erase_activity_data(
    conn: Connection, policy: Policy, person_id: int, activity: str
) -> dict[str, int]:
    """Delete the person's rows whose category no activity but ``activity`` processes."""
    erased: dict[str, int] = {}
    for table, binding in reversed(_held_only_for(policy, activity)):
        assert binding.subject is not None
        count = conn.execute(delete(table).where(table.c[binding.subject] == person_id)).rowcount
        if count:
            erased[table.name] = count
    return erased


def _audit(
    conn: Connection,
    person_id: int,
    actor: str,
    action: str,
    activity: str,
    details: dict[str, int],
) -> None:
    audit.append(
        conn,
        actor=actor,
        action=action,
        subject=f"person:{person_id}",
        purpose=activity,
        details=details,
    )
