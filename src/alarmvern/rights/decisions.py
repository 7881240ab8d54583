"""Restriction and objection as steps on a request, the one place the CLI, the API and the
pages take them: restrict (art. 18), tell the person before lifting (art. 18(3)) and lift,
object (art. 21) to direct marketing (at once) or to a legitimate-interest activity (for a
decision), and decide that objection (upheld, or refused with the reason the person is told).

Each works in the caller's transaction, writes its audit entries and its step on the request;
a refusal (in bokmål, then English, naming no command) changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from alarmvern.policy.model import Policy
from alarmvern.rights import objection, requests, restriction
from alarmvern.rights.requests import Kind, RequestError, RightsRequest
from alarmvern.rights.restriction import Reason
from alarmvern.rights.service import ready
from alarmvern.vault import Vault

# What the person is told before their restriction is lifted (art. 18(3)): recorded on the
# request (shown on Mine Sider) before the lift is allowed.
LIFT_NOTICE = (
    "Vi opphever begrensningen av behandlingen av opplysningene dine. Etter dette bruker vi "
    "dem igjen til formålene i personvernerklæringen (personvernforordningen art. 18 nr. 3).",
    "We are lifting the restriction of processing of your data. After this we use it again "
    "for the purposes in the privacy notice (GDPR art. 18(3)).",
)


def _restriction_request(conn: Connection, request_id: int) -> tuple[RightsRequest, int]:
    request = requests.get(conn, request_id)
    if request.kind is not Kind.restriction or request.person_id is None:
        raise RequestError(
            f"forespørsel {request_id} gjelder ikke begrensning av en kjent person",
            f"request {request_id} is not a restriction of a known person",
        )
    return request, request.person_id


def restrict(conn: Connection, request_id: int, *, reason: Reason, actor: str) -> RightsRequest:
    """Restrict the person's data: kept, not used (art. 18(1) (a)–(d))."""
    request = requests.get(conn, request_id)
    person = ready(request, Kind.restriction)
    if restriction.is_restricted(conn, person):
        raise RequestError(
            "behandlingen er allerede begrenset for personen",
            "processing is already restricted for the person",
        )
    restriction.place(conn, person, reason=reason, actor=actor, request_id=request_id)
    requests.add_step(conn, request, "restricted", "done", actor=actor, reason=reason.value)
    return request


def tell_before_lifting(conn: Connection, request_id: int, *, actor: str) -> RightsRequest:
    """Record that the person is told, in :data:`LIFT_NOTICE`'s words, before the lift."""
    request, person = _restriction_request(conn, request_id)
    if not restriction.is_restricted(conn, person):
        raise RequestError(
            "personen har ingen begrensning å oppheve", "the person has no restriction to lift"
        )
    requests.add_step(
        conn, request, "lift_notified", "done", actor=actor, nb=LIFT_NOTICE[0], en=LIFT_NOTICE[1]
    )
    return request


def told_before_lifting(request: RightsRequest) -> bool:
    """Whether the person was told (art. 18(3)) since the restriction was placed."""
    told = restricted = -1
    for i, step in enumerate(request.steps):
        if step["step"] == "lift_notified":
            told = i
        elif step["step"] == "restricted":
            restricted = i
    return told >= 0 and told > restricted


def lift(conn: Connection, request_id: int, *, actor: str) -> RightsRequest:
    """Lift the restriction; refused until the person has been told (art. 18(3))."""
    request, person = _restriction_request(conn, request_id)
    if not told_before_lifting(request):
        raise RequestError(
            "personen må få beskjed før begrensningen oppheves (art. 18 nr. 3): registrer "
            "beskjeden først",
            "the person must be told before the restriction is lifted "
            "(art. 18(3)): record the notice first",
        )
    if not restriction.is_restricted(conn, person):
        raise RequestError(
            "personen har ingen begrensning å oppheve", "the person has no restriction to lift"
        )
    restriction.lift(conn, person, actor=actor)
    requests.add_step(conn, request, "lifted", "done", actor=actor)
    return request


def object_to(
    conn: Connection,
    vault: Vault,
    policy: Policy,
    request_id: int,
    *,
    marketing: bool,
    activity: str | None,
    actor: str,
) -> dict[str, Any]:
    """Record an objection: to direct marketing, stopped at once (what changed is returned);
    to a legitimate-interest activity, pending a decision."""
    if marketing == (activity is not None):
        raise RequestError(
            "velg enten direkte markedsføring eller én behandling",
            "choose either direct marketing or one activity",
            field="target",
            code="marketing_or_activity",
        )
    request = requests.get(conn, request_id)
    person = ready(request, Kind.objection)
    if marketing:
        changed = objection.object_to_marketing(conn, vault, policy, person, actor=actor)
        requests.add_step(conn, request, "marketing_stopped", "done", actor=actor, **changed)
        return dict(changed)
    assert activity is not None
    objection.objectable_activity(policy, activity)
    pending = request.step("decision")
    if pending is not None and pending["status"] == "pending":
        raise RequestError(
            "protesten venter allerede på en avgjørelse", "the objection already awaits a decision"
        )
    objection.object_to_activity(conn, policy, request, activity, actor=actor)
    return {}


def decide(
    conn: Connection,
    policy: Policy,
    request_id: int,
    *,
    upheld: bool,
    reason: str,
    actor: str,
) -> dict[str, int]:
    """Decide a pending objection; a refusal needs the reason the person is told."""
    if not reason.strip():
        raise RequestError(
            "skriv grunnen til avgjørelsen, som personen får",
            "write the reason for the decision, which the person is told",
        )
    request = requests.get(conn, request_id)
    step = request.step("decision")
    if step is None or step["status"] != "pending":
        raise RequestError(
            f"forespørsel {request_id} har ingen protest som venter på avgjørelse",
            f"request {request_id} has no objection waiting for a decision",
        )
    return objection.decide(
        conn, policy, request, upheld=upheld, reason=reason.strip(), actor=actor
    )
