"""Consent (art. 7): given, withdrawn, and what withdrawing it erases.

Withdrawing a consent erases the data held only for that activity (positions for the location
consent, for example): data of a category that another activity also processes stays, under
that activity's own rule.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import LegalBasis, Policy
from alarmvern.rights.scope import personal_tables
from alarmvern.store.tables import consents


def _consent_activity(policy: Policy, activity: str) -> None:
    found = next((a for a in policy.activities if a.id == activity), None)
    if found is None or found.legal_basis is not LegalBasis.consent:
        choices = ", ".join(a.id for a in policy.activities if a.legal_basis is LegalBasis.consent)
        raise AlarmvernError(f"{activity!r} is not an activity based on consent ({choices})")


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
    for table, binding in reversed(personal_tables()):
        users = {a.id for a in policy.activities_for(binding.category)}
        if users != {activity} or binding.subject is None or binding.blob:
            continue
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
