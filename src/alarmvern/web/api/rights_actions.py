"""The steps staff take on a rights request, each the same service call as the CLI's
``alarmvern rights <action>``; each answers with the request as it now stands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Connection

from alarmvern.rights import decisions, requests, service
from alarmvern.rights.requests import RightsRequest
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.api.common import ERRORS, PathId, rights_request
from alarmvern.web.api.schemas_rights import (
    AccessIn,
    ActionOut,
    CloseRequestIn,
    ConfirmIn,
    DecideIn,
    EraseIn,
    ExtendIn,
    ObjectIn,
    PortabilityIn,
    ReasonIn,
    RectifyIn,
    RequestOut,
    RestrictIn,
    StepDoneIn,
    VerifyIn,
    WithdrawIn,
)
from alarmvern.web.deps import Service, SystemDep
from alarmvern.web.errors import ApiError

router = APIRouter(prefix="/rights/requests/{request_id}", tags=["rights"], responses=ERRORS)


def _exists(system: System, request_id: PathId) -> None:
    with reading(system.engine) as conn:
        rights_request(conn, request_id)


def request_out(r: RightsRequest, today: date | None = None) -> RequestOut:
    today = today or datetime.now(UTC).date()
    return RequestOut(
        id=r.id,
        person_id=r.person_id,
        kind=r.kind,
        channel=r.channel,
        status=r.status.value,
        received_at=r.received_at,
        due_on=r.due_on,
        extended_to=r.extended_to,
        deadline=r.deadline,
        overdue=r.overdue(today),
        verification=r.verification,
        verified_at=r.verified_at,
        outcome=r.outcome,
        closed_at=r.closed_at,
        pending=[s["step"] for s in r.pending()],
        steps=r.steps,
    )


def _answer(system: System, request_id: PathId, result: dict[str, Any] | None = None) -> ActionOut:
    with system.engine.connect() as conn:
        request = requests.get(conn, request_id)
    return ActionOut(request=request_out(request), result=result or {})


def _in_transaction(
    system: System, request_id: PathId, act: Callable[[Connection], dict[str, Any] | None]
) -> ActionOut:
    _exists(system, request_id)
    with system.engine.begin() as conn:
        result = act(conn)
    return _answer(system, request_id, result)


@router.post("/confirm", response_model=ActionOut)
def confirm(system: SystemDep, who: Service, request_id: PathId, body: ConfirmIn) -> ActionOut:
    """Bekreft hvem forespørselen gjelder / confirm the person it concerns."""
    return _in_transaction(
        system,
        request_id,
        lambda conn: requests.confirm_person(conn, request_id, body.person_id, actor=who.actor),
    )


@router.post("/verify", response_model=ActionOut)
def verify(system: SystemDep, who: Service, request_id: PathId, body: VerifyIn) -> ActionOut:
    """Registrer identitetskontrollen / record how the identity was checked."""
    allowed = system.policy.policy.rights.verification

    def act(conn: Connection) -> None:
        requests.verify_identity(
            conn, request_id, method=body.method, actor=who.actor, allowed=allowed
        )

    return _in_transaction(system, request_id, act)


@router.post("/await-identity", response_model=ActionOut)
def await_identity(
    system: SystemDep, who: Service, request_id: PathId, body: ReasonIn
) -> ActionOut:
    """Stopp klokken for en identitetskontroll / pause the clock for an identity check."""

    def act(conn: Connection) -> None:
        requests.await_identity(conn, request_id, actor=who.actor, reason=body.reason)

    return _in_transaction(system, request_id, act)


@router.post("/extend", response_model=ActionOut)
def extend(system: SystemDep, who: Service, request_id: PathId, body: ExtendIn) -> ActionOut:
    """Forleng fristen / extend the deadline (art. 12(3))."""

    def act(conn: Connection) -> None:
        requests.extend(conn, request_id, months=body.months, reason=body.reason, actor=who.actor)

    return _in_transaction(system, request_id, act)


@router.post("/access", response_model=ActionOut)
def access(
    system: SystemDep, who: Service, request_id: PathId, body: AccessIn | None = None
) -> ActionOut:
    """Lag innsynspakken / build the access package (art. 15)."""
    body = body or AccessIn()
    _exists(system, request_id)
    made = service.access(system, request_id, actor=who.actor, pdf=body.pdf, lang=body.lang)
    result = {
        "rows": sum(made.counts.values()),
        "media": made.media,
        "needs_review": made.needs_review,
    }
    return _answer(system, request_id, result)


@router.post("/review-done", response_model=ActionOut)
def review_done(system: SystemDep, who: Service, request_id: PathId) -> ActionOut:
    """Gjennomgått for andre personer / third-party review done (art. 15(4))."""
    _exists(system, request_id)
    service.review_done(system, request_id, actor=who.actor)
    return _answer(system, request_id)


@router.post("/portability", response_model=ActionOut)
def portability(
    system: SystemDep, who: Service, request_id: PathId, body: PortabilityIn | None = None
) -> ActionOut:
    """Lag (og send) dataportabilitetspakken / build (and send) the portability package."""
    body = body or PortabilityIn()
    _exists(system, request_id)
    made, sent = service.export_portable(
        system, request_id, actor=who.actor, send_to=body.send_to, recipient_name=body.recipient
    )
    result: dict[str, Any] = {"rows": sum(made.counts.values()), "left_out": made.left_out}
    if sent is not None:
        result["sent"] = {"host": sent.host, "status": sent.status_code}
    return _answer(system, request_id, result)


@router.post("/rectify", response_model=ActionOut)
def rectify(system: SystemDep, who: Service, request_id: PathId, body: RectifyIn) -> ActionOut:
    """Rett en opplysning / correct a value (art. 16); recipients get a letter (art. 19)."""
    _exists(system, request_id)
    change, letters = service.correct(
        system,
        request_id,
        table=body.table,
        row_id=body.row_id,
        column=body.column,
        value=body.value,
        actor=who.actor,
    )
    return _answer(system, request_id, {"change": change.id, "letters": len(letters)})


@router.post("/erase", response_model=ActionOut)
def erase(
    system: SystemDep, who: Service, request_id: PathId, body: EraseIn | None = None
) -> ActionOut:
    """Slett personen / erase the person (art. 17); what law or a hold keeps stays."""
    body = body or EraseIn()
    _exists(system, request_id)
    done, _path = service.erase(
        system,
        request_id,
        actor=who.actor,
        keep_contract=body.keep_contract,
        end_contracts=body.end_contracts,
    )
    decisions = [
        {
            "table": d.table,
            "action": d.action,
            "rows": d.rows,
            "reason": d.reason,
            "until": d.until.isoformat() if d.until else None,
        }
        for d in done.decisions
    ]
    return _answer(system, request_id, {"decisions": decisions})


@router.post("/restrict", response_model=ActionOut)
def restrict(system: SystemDep, who: Service, request_id: PathId, body: RestrictIn) -> ActionOut:
    """Begrens behandlingen / restrict processing (art. 18)."""

    def act(conn: Connection) -> None:
        decisions.restrict(conn, request_id, reason=body.reason, actor=who.actor)

    return _in_transaction(system, request_id, act)


@router.post("/lift-notice", response_model=ActionOut)
def lift_notice(system: SystemDep, who: Service, request_id: PathId) -> ActionOut:
    """Gi beskjed før begrensningen oppheves / tell the person before lifting (art. 18(3))."""

    def act(conn: Connection) -> dict[str, Any]:
        decisions.tell_before_lifting(conn, request_id, actor=who.actor)
        return {"notice_nb": decisions.LIFT_NOTICE[0], "notice_en": decisions.LIFT_NOTICE[1]}

    return _in_transaction(system, request_id, act)


@router.post("/lift", response_model=ActionOut)
def lift(system: SystemDep, who: Service, request_id: PathId) -> ActionOut:
    """Opphev begrensningen / lift the restriction (after the art. 18(3) notice)."""

    def act(conn: Connection) -> None:
        decisions.lift(conn, request_id, actor=who.actor)

    return _in_transaction(system, request_id, act)


@router.post("/object", response_model=ActionOut)
def object_(system: SystemDep, who: Service, request_id: PathId, body: ObjectIn) -> ActionOut:
    """Registrer en innsigelse / record an objection (art. 21): to marketing at once, to a
    legitimate-interest activity for a decision."""
    if body.marketing == (body.activity is not None):
        raise ApiError(
            422,
            "oppgi enten marketing eller activity / give either marketing or activity",
            field="activity",
        )

    def act(conn: Connection) -> dict[str, Any]:
        return decisions.object_to(
            conn,
            system.vault,
            system.policy.policy,
            request_id,
            marketing=body.marketing,
            activity=body.activity,
            actor=who.actor,
        )

    return _in_transaction(system, request_id, act)


@router.post("/decide", response_model=ActionOut)
def decide(system: SystemDep, who: Service, request_id: PathId, body: DecideIn) -> ActionOut:
    """Avgjør en innsigelse / decide an objection to a legitimate-interest activity."""

    def act(conn: Connection) -> dict[str, Any]:
        erased = decisions.decide(
            conn,
            system.policy.policy,
            request_id,
            upheld=body.uphold,
            reason=body.reason,
            actor=who.actor,
        )
        return {"erased": erased}

    return _in_transaction(system, request_id, act)


@router.post("/withdraw", response_model=ActionOut)
def withdraw(system: SystemDep, who: Service, request_id: PathId, body: WithdrawIn) -> ActionOut:
    """Trekk et samtykke / withdraw a consent (art. 7(3)); its data is erased."""
    _exists(system, request_id)
    erased = service.withdraw(system, request_id, body.activity, actor=who.actor)
    return _answer(system, request_id, {"erased": erased})


@router.post("/close", response_model=ActionOut)
def close(system: SystemDep, who: Service, request_id: PathId, body: CloseRequestIn) -> ActionOut:
    """Avslutt forespørselen / close the request (refused while a step is pending)."""

    def act(conn: Connection) -> None:
        requests.close(
            conn, request_id, outcome=body.outcome, actor=who.actor, refused=body.refused
        )

    return _in_transaction(system, request_id, act)


@router.post("/step-done", response_model=ActionOut)
def step_done(system: SystemDep, who: Service, request_id: PathId, body: StepDoneIn) -> ActionOut:
    """Marker et ventende steg som gjort / mark a pending step done."""

    def act(conn: Connection) -> None:
        requests.finish_step(conn, requests.get(conn, request_id), body.step, actor=who.actor)

    return _in_transaction(system, request_id, act)
