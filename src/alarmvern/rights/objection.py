"""Objection (art. 21). To direct marketing it is absolute and immediate: the person's e-mail
address and phone number go on the suppression list as keyed hashes, which outlive erasure,
and their marketing consent is withdrawn. To a legitimate-interest activity it is recorded
for a decision; upheld, the data held only for that activity is erased."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import LegalBasis, Policy
from alarmvern.rights import consent, requests
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


def object_to_marketing(
    conn: Connection, vault: Vault, policy: Policy, person_id: int, *, actor: str
) -> dict[str, int]:
    """Stop all direct marketing to the person at once; return what changed."""
    added = sum(suppress(conn, vault, i) for i in identifiers(conn, person_id))
    erased: dict[str, int] = {}
    for act in policy.activities:
        # The pack says which activities are direct marketing: an id is no evidence.
        if act.legal_basis is LegalBasis.consent and act.direct_marketing:
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
    """Record an objection to a legitimate-interest activity, pending the controller's decision."""
    found = next((a for a in policy.activities if a.id == activity), None)
    if found is None or not found.objectable:
        choices = ", ".join(a.id for a in policy.activities if a.objectable)
        raise AlarmvernError(
            f"{activity!r} er ikke en behandling basert på berettiget interesse ({choices}); "
            "en protest mot markedsføring trenger ingen vurdering: stans markedsføringen",
            f"{activity!r} is not an activity based on legitimate interest ({choices}); "
            "an objection to marketing needs no decision: stop the marketing instead",
            field="activity",
            code="not_objectable",
        )
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
