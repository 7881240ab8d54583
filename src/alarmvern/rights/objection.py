"""Objection (art. 21). To direct marketing it is absolute and immediate: the person's e-mail
address and phone number go on the suppression list as keyed hashes, which outlive erasure,
and their marketing consent is withdrawn. To a legitimate-interest activity it is recorded
for a decision; upheld, the data held only for that activity is erased. Which activities each
stops is the policy's (``Activity.marketing``, ``Activity.objectable``), as the notice says."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Activity, LegalBasis, Policy
from alarmvern.rights import consent, requests
from alarmvern.rights.requests import RequestError
from alarmvern.rights.scope import identifiers
from alarmvern.store.tables import marketing_suppressions
from alarmvern.vault import Vault


def suppress(conn: Connection, vault: Vault, identifier: str) -> bool:
    """Put one normalised identifier on the suppression list; False if already there."""
    digest = vault.lookup_hash(conn, identifier)
    found = conn.execute(
        select(marketing_suppressions.c.id).where(
            marketing_suppressions.c.identifier_hash == digest
        )
    ).first()
    if found:
        return False
    conn.execute(
        marketing_suppressions.insert().values(
            identifier_hash=digest,
            kind="email" if "@" in identifier else "phone",
            objected_at=datetime.now(UTC),
        )
    )
    return True


def is_suppressed(conn: Connection, vault: Vault, identifier: str) -> bool:
    digest = vault.lookup_hash(conn, identifier)
    query = select(marketing_suppressions.c.id).where(
        marketing_suppressions.c.identifier_hash == digest
    )
    return conn.execute(query).first() is not None


def stopped_by_marketing_objection(policy: Policy) -> list[Activity]:
    """The activities an objection to direct marketing stops: those the pack declares as
    marketing (an id is no evidence). The suppression list stops them all; those on consent
    have the consent withdrawn too."""
    return [a for a in policy.activities if a.marketing]


def objectable_activity(policy: Policy, activity: str) -> Activity:
    """The activity ``activity`` names, if a person may object to it (art. 21(1)); else the
    refusal, naming those they may object to."""
    found = next((a for a in policy.activities if a.id == activity), None)
    if found is None or not found.objectable:
        choices = ", ".join(a.id for a in policy.activities if a.objectable) or "–"
        raise RequestError(
            f"behandlingen {activity[:64]!r} bygger ikke på berettiget interesse eller "
            f"allmennhetens interesse, og kan ikke protesteres mot (det kan: {choices}); en "
            "protest mot direkte markedsføring trenger ingen avgjørelse",
            f"the activity {activity[:64]!r} rests neither on a legitimate interest nor on a "
            f"task in the public interest, and cannot be objected to (these can: {choices}); "
            "an objection to direct marketing needs no decision",
            field="activity",
            code="not_objectable",
        )
    return found


def object_to_marketing(
    conn: Connection, vault: Vault, policy: Policy, person_id: int, *, actor: str
) -> dict[str, int]:
    """Stop all direct marketing to the person at once; return what changed."""
    added = sum(suppress(conn, vault, i) for i in identifiers(conn, person_id))
    erased: dict[str, int] = {}
    for act in stopped_by_marketing_objection(policy):
        if act.legal_basis is LegalBasis.consent:
            erased |= consent.withdraw(conn, policy, person_id, act.id, actor=actor)
    audit.append(
        conn,
        actor=actor,
        action="objection.marketing",
        subject=f"person:{person_id}",
        purpose="marketing",
        details={"suppressed": added, **erased},
    )
    return {"suppressed": added, **erased}


def object_to_activity(
    conn: Connection, policy: Policy, request: requests.RightsRequest, activity: str, *, actor: str
) -> None:
    """Record an objection to an activity on legitimate interest or public task, pending the
    controller's decision."""
    objectable_activity(policy, activity)
    requests.add_step(conn, request, "decision", "pending", actor=actor, activity=activity)


def decide(
    conn: Connection,
    policy: Policy,
    request: requests.RightsRequest,
    *,
    upheld: bool,
    reason: str,
    actor: str,
) -> dict[str, int]:
    """Decide a pending objection. Upheld: the activity's own data about the person is erased.
    Rejected: the reason (the compelling legitimate grounds) is recorded for the person."""
    step = request.step("decision")
    if step is None or step["status"] != "pending" or request.person_id is None:
        raise AlarmvernError(
            f"forespørsel {request.id} har ingen protest som venter på en avgjørelse",
            f"request {request.id} has no objection waiting for a decision",
            code="step_missing",
        )
    erased: dict[str, int] = {}
    if upheld:
        erased = consent.erase_activity_data(conn, policy, request.person_id, step["activity"])
    step.update(status="done", upheld=upheld, reason=reason)
    requests.add_step(conn, request, "decided", "done", actor=actor, upheld=upheld, **erased)
    return erased
