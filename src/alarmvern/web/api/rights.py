"""Rights requests and consents: the queue, opening a request (staff for anyone, a customer
for themselves), a request and its steps, the package to download, and the customer's own
consents. The steps staff take on a request are in :mod:`.rights_actions`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from alarmvern.policy.model import Verification
from alarmvern.rights import consent, requests, service
from alarmvern.rights.requests import Channel, Kind, RightsRequest
from alarmvern.store.engine import reading
from alarmvern.store.tables.columns import as_utc
from alarmvern.system import System
from alarmvern.web.api import rights_actions
from alarmvern.web.api.common import (
    ERRORS,
    PREFIX,
    Limit,
    PathId,
    connection_for,
    is_office_staff,
    not_found,
    rights_request,
)
from alarmvern.web.api.rights_actions import request_out
from alarmvern.web.api.schemas_rights import (
    ConsentActivity,
    ConsentOut,
    ConsentsOut,
    RequestIn,
    RequestOut,
    RequestPage,
    WithdrawnOut,
)
from alarmvern.web.deps import Customer, Service, SystemDep, require
from alarmvern.web.errors import ApiError
from alarmvern.web.security import Principal, Role
from alarmvern.web.visibility import record_look

router = APIRouter(prefix=PREFIX, tags=["rights"], responses=ERRORS)
router.include_router(rights_actions.router)
Asker = Annotated[Principal, Depends(require(Role.customer, Role.customer_service, Role.dpo))]
CURSOR = re.compile(r"^([01])~(\d{4}-\d{2}-\d{2})~(\d{1,18})$")


def _key(r: RightsRequest) -> tuple[int, str, int]:
    return (int(not r.is_open), r.deadline.isoformat(), r.id)


@router.get("/rights/requests", response_model=RequestPage)
def queue(
    system: SystemDep,
    _who: Service,
    include_closed: bool = False,
    limit: Limit = 100,
    after: Annotated[
        str | None, Query(max_length=40, description="`next_after` of the page before.")
    ] = None,
) -> RequestPage:
    """Forespørslene etter frist, de forsinkede først / the queue by deadline, overdue first."""
    with reading(system.engine) as conn:
        found = requests.list_requests(conn, include_closed=include_closed)
    if after is not None:
        match = CURSOR.match(after)
        if match is None:
            raise ApiError(422, "ugyldig markør / not a cursor from this list", field="after")
        start = (int(match[1]), match[2], int(match[3]))
        found = [r for r in found if _key(r) > start]
    items = found[:limit]
    last = "~".join(map(str, _key(items[-1]))) if len(found) > limit else None
    return RequestPage(items=[request_out(r) for r in items], next_after=last)


@router.post("/rights/requests", response_model=RequestOut, status_code=201)
def open_request(system: SystemDep, who: Asker, body: RequestIn) -> RequestOut:
    """Registrer en forespørsel / register a request. A customer asks for themselves: the
    logged-in session is the identity check (Mine Sider)."""
    if who.role is Role.customer:
        for name in ("channel", "person_id", "received"):
            if getattr(body, name) is not None:
                raise ApiError(422, f"{name}: bare for ansatte / staff only", field=name)
        with system.engine.begin() as conn:
            made = requests.open_request(
                conn,
                kind=body.kind,
                channel=Channel.mine_sider,
                person_id=who.person_id,
                actor=who.actor,
            )
            allowed = system.policy.policy.rights.verification
            if Verification.mine_sider in allowed:
                made = requests.verify_identity(
                    conn, made.id, method=Verification.mine_sider, actor=who.actor, allowed=allowed
                )
        return request_out(made)
    at = None
    if body.received is not None:
        if body.received > datetime.now(UTC).date():
            raise ApiError(
                422, "datoen er ikke kommet / the date is in the future", field="received"
            )
        at = datetime.combine(body.received, time(12), tzinfo=UTC)
    with system.engine.begin() as conn:
        made = requests.open_request(
            conn,
            kind=body.kind,
            channel=body.channel or Channel.email,
            person_id=body.person_id,
            actor=who.actor,
            received_at=at,
        )
    return request_out(made)


def visible_request(system: System, who: Principal, request_id: PathId, why: str) -> RightsRequest:
    """The request, if ``who`` may see it: a customer their own (else "not found"); staff
    audited when it concerns a person."""
    with connection_for(system, who) as conn:
        request = rights_request(conn, request_id)
        if who.role is Role.customer:
            if request.person_id is None or request.person_id != who.person_id:
                raise not_found("request", request_id)
        elif is_office_staff(who) and request.person_id is not None:
            record_look(
                conn,
                actor=who.actor,
                action=why,
                subject=f"person:{request.person_id}",
                purpose=f"rights-request:{request_id}",
            )
    return request


@router.get("/rights/requests/{request_id}", response_model=RequestOut)
def show(system: SystemDep, who: Asker, request_id: PathId) -> RequestOut:
    """En forespørsel med stegene / a request and its steps."""
    return request_out(visible_request(system, who, request_id, "staff.view"))


@router.get(
    "/rights/requests/{request_id}/package",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The package.",
        }
    },
)
def package(system: SystemDep, who: Asker, request_id: PathId) -> FileResponse:
    """Last ned pakken / download the access or portability package: the person once it is
    released (no step pending); staff at any time (audited)."""
    request = visible_request(system, who, request_id, "staff.download")
    if request.kind not in (Kind.access, Kind.portability):
        raise not_found("package", request_id)
    path = service.exports_dir(system) / f"request-{request_id}-{request.kind.value}.zip"
    built = request.step("package_built") is not None
    if not built or not path.exists():
        raise ApiError(404, "pakken er ikke laget ennå / the package is not built yet")
    if request.kind is Kind.access:
        releasable = service.package_ready(system, request) is not None
    else:
        releasable = not request.pending()
    if who.role is Role.customer and not releasable:
        raise ApiError(
            409,
            "pakken gjennomgås før utlevering / the package is being reviewed before release",
        )
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"mine-data-{request_id}.zip",
        headers={"Cache-Control": "private, no-store"},
    )


# --- consents ------------------------------------------------------------------------------


def _consents(system: System, person_id: PathId) -> ConsentsOut:
    policy = system.policy.policy
    with reading(system.engine) as conn:
        rows = consent.records(conn, person_id)
        now = consent.states(conn, policy, person_id, rows)
    items = [
        ConsentOut(
            id=r.id,
            activity=r.activity,
            notice_version=r.notice_version,
            given_at=as_utc(r.given_at),
            channel=r.channel,
            withdrawn_at=None if r.withdrawn_at is None else as_utc(r.withdrawn_at),
        )
        for r in rows
    ]
    activities = [
        ConsentActivity(
            id=c.activity.id, name_nb=c.activity.name.nb, name_en=c.activity.name.en, given=c.given
        )
        for c in now
    ]
    return ConsentsOut(items=items, activities=activities)


def _me(who: Principal) -> int:
    """The customer's own person; a login without one (an admin) has no consents."""
    if who.person_id is None:
        raise ApiError(403, "innloggingen er ikke en kunde / this login is not a customer's")
    return who.person_id


@router.get("/me/consents", response_model=ConsentsOut)
def my_consents(system: SystemDep, who: Customer) -> ConsentsOut:
    """Mine samtykker / my consents, each with the notice version it was given under."""
    return _consents(system, _me(who))


@router.post("/me/consents/{activity}", response_model=ConsentsOut)
def give(system: SystemDep, who: Customer, activity: str) -> ConsentsOut:
    """Gi samtykke / give a consent, under the notice in force."""
    person = _me(who)
    consent.offered_activity(system.policy.policy, activity)
    with system.engine.begin() as conn:
        consent.give(
            conn,
            system.policy.policy,
            person,
            activity,
            notice_version=system.policy.policy.version,
            channel="mine_sider",
            actor=who.actor,
        )
    return _consents(system, person)


@router.delete("/me/consents/{activity}", response_model=WithdrawnOut)
def withdraw(system: SystemDep, who: Customer, activity: str) -> WithdrawnOut:
    """Trekk samtykket / withdraw a consent; what was held only for it is erased."""
    person = _me(who)
    consent.offered_activity(system.policy.policy, activity)
    with system.engine.begin() as conn:
        erased = consent.withdraw(conn, system.policy.policy, person, activity, actor=who.actor)
    return WithdrawnOut(activity=activity, erased=erased)
