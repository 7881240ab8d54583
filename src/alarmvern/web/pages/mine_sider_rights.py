"""Mine Sider: consents (give and withdraw), "download my data", and requests for correction,
restriction and erasure. Included by :mod:`.mine_sider` under ``/mine-sider``.

A logged-in Mine Sider session is how the person is identified: where the policy accepts it,
a request opened here is recorded as verified that way at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response

from alarmvern import audit
from alarmvern.policy.model import Verification, covers
from alarmvern.rights import consent, requests
from alarmvern.rights.requests import Channel, Kind, RightsRequest
from alarmvern.rights.service import exports_dir
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.access import NOT_YOURS
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages.render import CustomerPage, PageRoute, done, render
from alarmvern.web.security import Principal

router = APIRouter(route_class=PageRoute)
# What a customer may ask for here; access has its own page ("last ned mine data").
ASKABLE = (Kind.rectification, Kind.restriction, Kind.erasure)


def _person(who: Principal) -> int:
    if who.person_id is None:
        raise ApiError(403, "innloggingen din er ikke knyttet til en person / no person")
    return who.person_id


@router.get("/samtykker")
def consents_page(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        states = consent.states(conn, system.policy.policy, _person(who))
    return render(
        request, "mine_sider/consents.html.j2", states=states, version=system.policy.policy.version
    )


@router.post("/samtykker/{activity}/gi")
def give_consent(activity: str, request: Request, who: CustomerPage, system: SystemDep) -> Response:
    policy = system.policy.policy
    consent.offered_activity(policy, activity)
    with system.engine.begin() as conn:
        consent.give(
            conn,
            policy,
            _person(who),
            activity,
            notice_version=policy.version,
            channel=Channel.mine_sider.value,
            actor=who.actor,
        )
    return done("/mine-sider/samtykker", "consent-given")


@router.get("/samtykker/{activity}/trekk")
def confirm_withdrawal(
    activity: str, request: Request, _who: CustomerPage, system: SystemDep
) -> Response:
    """Before withdrawing: what will be erased, and a button to go on."""
    policy = system.policy.policy
    act = consent.offered_activity(policy, activity)
    names = {
        key: category.name
        for stored in consent.erased_on_withdrawal(policy, activity)
        for key, category in policy.categories.items()
        if covers(key, stored)
    }
    return render(request, "mine_sider/withdraw.html.j2", activity=act, erased=list(names.values()))


@router.post("/samtykker/{activity}/trekk")
def withdraw_consent(
    activity: str, request: Request, who: CustomerPage, system: SystemDep
) -> Response:
    policy = system.policy.policy
    consent.offered_activity(policy, activity)
    with system.engine.begin() as conn:
        consent.withdraw(conn, policy, _person(who), activity, actor=who.actor)
    return done("/mine-sider/samtykker", "consent-withdrawn")


def _open_verified(system: System, who: Principal, kind: Kind, text: str | None) -> RightsRequest:
    """Open a request for the logged-in person, verified by their session where allowed."""
    allowed = system.policy.policy.rights.verification
    with system.engine.begin() as conn:
        request = requests.open_request(
            conn,
            kind=kind,
            channel=Channel.mine_sider,
            person_id=_person(who),
            actor=who.actor,
            details={"text": text} if text else None,
        )
        if Verification.mine_sider in allowed:
            request = requests.verify_identity(
                conn, request.id, method=Verification.mine_sider, actor=who.actor, allowed=allowed
            )
    return request


def package_path(system: System, request: RightsRequest) -> Path | None:
    """The access package, once built and released (no step pending), else None."""
    built = request.step("package_built")
    if request.kind is not Kind.access or built is None or built.get("status") != "done":
        return None
    if request.pending():
        return None
    path = exports_dir(system) / f"request-{request.id}-access.zip"
    return path if path.is_file() else None


@router.get("/mine-data")
def my_data_page(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        mine = [r for r in requests.for_person(conn, _person(who)) if r.kind is Kind.access]
    ready = {r.id for r in mine if package_path(system, r) is not None}
    return render(request, "mine_sider/my_data.html.j2", found=mine, ready=ready)


@router.post("/mine-data")
def ask_for_my_data(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        mine = requests.for_person(conn, _person(who))
    if not any(r.kind is Kind.access and r.is_open for r in mine):
        _open_verified(system, who, Kind.access, None)
    return done("/mine-sider/mine-data", "request-opened")


@router.get("/mine-data/{request_id}/pakke.zip")
def download_package(request_id: int, who: CustomerPage, system: SystemDep) -> Response:
    with system.engine.begin() as conn:
        found = requests.get(conn, request_id)
        if found.person_id != _person(who):
            raise ApiError(404, NOT_YOURS)
        path = package_path(system, found)
        if path is None:
            raise ApiError(409, "pakken er ikke klar ennå / the package is not ready yet")
        audit.append(
            conn,
            actor=who.actor,
            action="rights.package_downloaded",
            subject=f"person:{found.person_id}",
            purpose=f"rights-request:{request_id}",
            details={"request": request_id},
        )
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"mine-data-{request_id}.zip",
        headers={"Cache-Control": "private, no-store"},
    )


@router.get("/foresporsler")
def requests_page(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        mine = requests.for_person(conn, _person(who))
    return render(request, "mine_sider/requests.html.j2", found=mine, askable=ASKABLE)


@router.post("/foresporsler")
def open_request(
    request: Request,
    who: CustomerPage,
    system: SystemDep,
    kind: Annotated[Literal["rectification", "restriction", "erasure"], Form()],
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    _open_verified(system, who, Kind(kind), text.strip() or None)
    return done("/mine-sider/foresporsler", "request-opened")
