"""The rights-request queue, by deadline, with each step, and what staff do next: verify the
person, build the access package, mark a pending step done, erase, close. Included by
:mod:`.dpo` under ``/personvern``; the same calls as the CLI (``rights.service``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from alarmvern.customers.overview import person_names
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Verification
from alarmvern.rights import decisions, erasure, rectify, requests, restriction, service
from alarmvern.rights.requests import Channel, Kind, RequestError
from alarmvern.rights.restriction import Reason
from alarmvern.rights.scope import scope_of
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError, problem
from alarmvern.web.pages import labels
from alarmvern.web.pages.render import PageRoute, ServicePage, done, lang_of, render

router = APIRouter(route_class=PageRoute)
QUEUE = "/personvern/foresporsler"


@router.get("/foresporsler")
def queue(
    request: Request,
    _who: ServicePage,
    system: SystemDep,
    alle: Annotated[bool, Query()] = False,
) -> Response:
    """Requests by deadline, the earliest (and overdue) first, each with its steps."""
    return _queue_page(request, system, include_closed=alle)


def _queue_page(
    request: Request,
    system: System,
    *,
    include_closed: bool = False,
    error: tuple[int, str] | None = None,
    typed: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The queue; after a refused form, with the refusal in the request's card (``error``:
    request id and message) and the form filled in as it was sent (``typed``)."""
    with reading(system.engine) as conn:
        found = requests.list_requests(conn, include_closed=include_closed)
        names = person_names(conn, (r.person_id for r in found if r.person_id is not None))
        values = {
            r.id: rectify.on_file(conn, system.vault, r.person_id)
            for r in found
            if r.kind is Kind.rectification and r.is_open and r.person_id and r.verified_at
        }
        contracts = {
            r.id: erasure.active_contracts(conn, scope_of(conn, system.vault, r.person_id))
            for r in found
            if r.kind is Kind.erasure and r.is_open and r.person_id
        }
        restricted = {
            r.id
            for r in found
            if r.kind is Kind.restriction
            and r.person_id
            and restriction.is_restricted(conn, r.person_id)
        }
    policy = system.policy.policy
    allowed = [v for v in policy.rights.verification if v.value != "id_document_copy"]
    return render(
        request,
        "dpo/requests.html.j2",
        status_code=status_code,
        found=found,
        today=datetime.now(UTC).date(),
        all=include_closed,
        methods=allowed,
        names=names,
        values=values,
        contracts=contracts,
        restricted=restricted,
        told=decisions.told_before_lifting,
        lift_notice=decisions.LIFT_NOTICE,
        reasons=list(Reason),
        REASON=labels.RESTRICTION_REASON,
        objectable=[a for a in policy.activities if a.objectable],
        kinds=list(Kind),
        channels=STAFF_CHANNELS,
        error=error,
        typed=typed or {},
    )


def _refused(
    request: Request,
    system: System,
    request_id: int,
    exc: Exception,
    typed: dict[str, str],
    status: int | None = None,
) -> Response:
    """The queue again, the refusal beside the request (0: the form for a new one) and what
    was typed kept; ``status`` overrides the error's own."""
    found = problem(exc)
    status, message = status or found.status, found.message
    with reading(system.engine) as conn:
        closed = request_id > 0 and not requests.get(conn, request_id).is_open
    return _queue_page(
        request,
        system,
        include_closed=closed,
        error=(request_id, message),
        typed={"request": str(request_id), **typed},
        status_code=status,
    )


def _step(
    request: Request,
    system: System,
    request_id: int,
    typed: dict[str, str],
    act: Callable[[Connection], object],
    then: str,
) -> Response:
    """Do one step on a request in a transaction of its own; refused, the queue again with
    the refusal beside the request and what was typed kept."""
    try:
        with system.engine.begin() as conn:
            act(conn)
    except AlarmvernError as exc:
        return _refused(request, system, request_id, exc, typed)
    return done(QUEUE, then)


STAFF_CHANNELS = (Channel.phone, Channel.email, Channel.letter, Channel.in_person)


@router.post("/foresporsler")
def register(
    request: Request,
    who: ServicePage,
    system: SystemDep,
    kind: Annotated[str, Form(max_length=16)] = "",
    channel: Annotated[str, Form(max_length=16)] = "",
    person: Annotated[str, Form(max_length=18)] = "",
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Register a request received by phone, e-mail, letter or in person; its deadline runs
    from today. The person may be confirmed now (their number) or later. A refusal shows the
    form again, open, with what was typed."""
    typed = {"kind": kind, "channel": channel, "person": person, "text": text}
    try:
        try:
            wanted, via = Kind(kind), Channel(channel)
        except ValueError:
            raise RequestError(
                "velg hva det gjelder og hvordan det kom", "choose kind and channel"
            ) from None
        if via not in STAFF_CHANNELS:
            raise RequestError("velg hvordan forespørselen kom", "choose how the request came")
        if person.strip() and not person.strip().isdigit():
            raise RequestError("person må være et nummer", "person must be a number")
        with system.engine.begin() as conn:
            requests.open_request(
                conn,
                kind=wanted,
                channel=via,
                person_id=int(person) if person.strip() else None,
                actor=who.actor,
                details={"text": text.strip()} if text.strip() else None,
            )
    except AlarmvernError as exc:
        return _refused(request, system, 0, exc, typed, status=422)
    return done(QUEUE, "request-opened")


@router.post("/foresporsler/{request_id}/forleng")
def extend(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    months: Annotated[int, Form(ge=1, le=2)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Extend the deadline by one or two months with the reason the person is told
    (art. 12(3)); only while the first month runs."""
    return _step(request, system, request_id, {"extend_reason": reason},
                 lambda conn: requests.extend(conn, request_id, months=months,
                                              reason=reason.strip(), actor=who.actor),
                 "request-step")  # fmt: skip


@router.post("/foresporsler/{request_id}/verifiser")
def verify(
    request_id: int,
    who: ServicePage,
    system: SystemDep,
    method: Annotated[str, Form(max_length=32)],
) -> Response:
    try:
        chosen = Verification(method)
    except ValueError:
        raise ApiError(422, f"ukjent metode / unknown method: {method[:32]}") from None
    with system.engine.begin() as conn:
        requests.verify_identity(
            conn,
            request_id,
            method=chosen,
            actor=who.actor,
            allowed=system.policy.policy.rights.verification,
        )
    return done(QUEUE, "request-step")


@router.post("/foresporsler/{request_id}/innsyn")
def build_access(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    pdf: Annotated[bool, Form()] = False,
) -> Response:
    """Build the access package (art. 15); the customer downloads it on Mine Sider."""
    service.access(system, request_id, actor=who.actor, pdf=pdf, lang=lang_of(request))
    return done(QUEUE, "package")


@router.post("/foresporsler/{request_id}/steg/{step}/ferdig")
def step_done(request_id: int, step: str, who: ServicePage, system: SystemDep) -> Response:
    """A pending step (a third-party review, letters to recipients) is done."""
    if step == "third_party_review":
        service.review_done(system, request_id, actor=who.actor)
    else:
        with system.engine.begin() as conn:
            requests.finish_step(conn, requests.get(conn, request_id), step, actor=who.actor)
    return done(QUEUE, "request-step")


@router.post("/foresporsler/{request_id}/slett")
def erase(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    contract: Annotated[str, Form(max_length=8)] = "",
    keep_contract: Annotated[bool, Form()] = False,
) -> Response:
    """Carry out an erasure request (art. 17): erase, journal, write the receipt. For a
    current customer, ``contract`` is ``keep`` (what the running contract needs is kept, and
    the receipt says so) or ``end`` (the contract is ended today first, then all is erased)."""
    try:  # a request of another kind is refused by the service (``ready``)
        service.erase(
            system,
            request_id,
            actor=who.actor,
            keep_contract=keep_contract or contract == "keep",
            end_contracts=contract == "end",
        )
    except AlarmvernError as exc:
        return _refused(request, system, request_id, exc, {"contract": contract})
    return done(QUEUE, "erased")


@router.post("/foresporsler/{request_id}/rett")
def correct(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    target: Annotated[str, Form(max_length=800)],
    value: Annotated[str, Form(max_length=500)],
) -> Response:
    """Correct the value a rectification request names (art. 16); letters to those who
    received the old value are drafted (art. 19). ``target`` is ``table:row:column|seen``:
    the value and what it held when the page was shown (changed since: refused)."""
    key, _, seen = target.partition("|")
    try:
        table, row_id, column = rectify.parse_key(key)
        service.correct(
            system,
            request_id,
            table=table,
            row_id=row_id,
            column=column,
            value=value.strip(),
            actor=who.actor,
            seen=seen,
            check_seen=True,
        )
    except AlarmvernError as exc:
        return _refused(request, system, request_id, exc, {"value": value})
    return done(QUEUE, "rectified")


@router.post("/foresporsler/{request_id}/begrens")
def restrict(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    reason: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Restrict processing (art. 18): the data is kept, not used."""

    def restrict_it(conn: Connection) -> None:
        try:
            why = Reason(reason)
        except ValueError:
            raise RequestError(
                "velg hvorfor behandlingen begrenses", "choose why processing is restricted"
            ) from None
        decisions.restrict(conn, request_id, reason=why, actor=who.actor)

    return _step(request, system, request_id, {"reason": reason}, restrict_it, "restricted")


@router.post("/foresporsler/{request_id}/varsle-oppheving")
def tell_before_lifting(
    request_id: int, request: Request, who: ServicePage, system: SystemDep
) -> Response:
    """Record that the person is told, in the words shown, before the lift (art. 18(3))."""
    return _step(request, system, request_id, {},
                 lambda conn: decisions.tell_before_lifting(conn, request_id, actor=who.actor),
                 "lift-told")  # fmt: skip


@router.post("/foresporsler/{request_id}/opphev")
def lift(request_id: int, request: Request, who: ServicePage, system: SystemDep) -> Response:
    """Lift the restriction; refused until the person has been told."""
    return _step(request, system, request_id, {},
                 lambda conn: decisions.lift(conn, request_id, actor=who.actor),
                 "lifted")  # fmt: skip


MARKETING = "marketing"


@router.post("/foresporsler/{request_id}/protest")
def object_(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    target: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Record an objection (art. 21): ``marketing`` stops direct marketing at once; an
    activity's id waits for a decision."""
    # Nothing chosen: refused by decisions.object_to (neither marketing nor an activity).
    return _step(request, system, request_id, {"target": target},
                 lambda conn: decisions.object_to(
                     conn, system.vault, system.policy.policy, request_id,
                     marketing=target == MARKETING,
                     activity=None if target == MARKETING or not target else target,
                     actor=who.actor),
                 "request-step")  # fmt: skip


@router.post("/foresporsler/{request_id}/avgjor")
def decide(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    decision: Annotated[str, Form(max_length=8)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Decide an objection: ``upheld`` (the activity's data about the person is erased) or
    ``refused`` (the compelling grounds, which the person is told)."""
    typed = {"decision": decision, "decide_reason": reason}

    def decide_it(conn: Connection) -> None:
        if decision not in ("upheld", "refused"):
            raise RequestError(
                "velg om protesten tas til følge eller avslås",
                "choose whether the objection is upheld or refused",
            )
        decisions.decide(conn, system.policy.policy, request_id, upheld=decision == "upheld",
                         reason=reason, actor=who.actor)  # fmt: skip

    return _step(request, system, request_id, typed, decide_it, "decided")


@router.post("/foresporsler/{request_id}/lukk")
def close(
    request_id: int,
    request: Request,
    who: ServicePage,
    system: SystemDep,
    outcome: Annotated[str, Form(max_length=500)] = "",
    refused: Annotated[bool, Form()] = False,
) -> Response:
    typed = {"outcome": outcome, "refused": "true" if refused else ""}
    return _step(request, system, request_id, typed,
                 lambda conn: requests.close(conn, request_id, outcome=outcome,
                                             actor=who.actor, refused=refused),
                 "request-closed")  # fmt: skip
