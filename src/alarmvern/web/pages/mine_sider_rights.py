"""Mine Sider: consents (give and withdraw), "download my data", and requests for correction,
restriction, erasure, objection and data portability (made at once, by the person).
Included by :mod:`.mine_sider` under ``/mine-sider``.

A logged-in Mine Sider session is how the person is identified: where the policy accepts it,
a request opened here is recorded as verified that way at once.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, Response

from alarmvern.policy.model import covers
from alarmvern.rights import consent, objection, receipt, rectify, requests, selfservice, service
from alarmvern.rights.report import column_label, table_label
from alarmvern.rights.requests import Channel, Kind
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages import labels
from alarmvern.web.pages.render import CustomerPage, PageRoute, done, lang_of, render
from alarmvern.web.security import Principal

router = APIRouter(route_class=PageRoute)
# What a customer may ask for here; access has its own page ("last ned mine data").
ASKABLE = (
    Kind.rectification,
    Kind.restriction,
    Kind.erasure,
    Kind.objection,
    Kind.portability,
)
MARKETING = "marketing"  # an objection to direct marketing (else an activity's id)


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


@router.get("/mine-data")
def my_data_page(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        mine = [r for r in requests.for_person(conn, _person(who)) if r.kind is Kind.access]
    ready = {r.id for r in mine if service.package_ready(system, r) is not None}
    states = {r.id: selfservice.state(r) for r in mine}
    building = any(s.status in ("queued", "building") for s in states.values())
    lang = lang_of(request)
    withheld = {r.id: [table_label(t, lang) for t in states[r.id].withheld] for r in mine}
    return render(
        request,
        "mine_sider/my_data.html.j2",
        found=mine,
        ready=ready,
        states=states,
        building=building,
        withheld=withheld,
    )


@router.post("/mine-data")
def ask_for_my_data(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    selfservice.ask(system, _person(who), actor=who.actor, lang=lang_of(request))
    return done("/mine-sider/mine-data", "package-queued")


@router.get("/mine-data/{request_id}/pakke.zip")
def download_package(request_id: int, who: CustomerPage, system: SystemDep) -> Response:
    """The person's own access package (art. 15); the download is audited."""
    return _own_download(system, who, request_id)


def _requests_page(
    request: Request,
    who: Principal,
    system: System,
    *,
    error: str | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    lang = lang_of(request)
    policy = system.policy.policy
    with reading(system.engine) as conn:
        mine = requests.for_person(conn, _person(who))
    portable = {r.id for r in mine if service.portable_ready(system, r) is not None}
    return render(
        request,
        "mine_sider/requests.html.j2",
        status_code=422 if error else 200,
        found=mine,
        askable=ASKABLE,
        HINTS=labels.HINTS,
        objectable=[a for a in policy.activities if a.objectable],
        portable=portable,
        error=error,
        typed={"kind": "", "text": "", "target": ""} | (typed or {}),
        column_label=lambda table, column: column_label(table, column, lang),
        kept_of=lambda step: receipt.kept_sentences(step.get("kept") or [], policy, lang),
    )


@router.get("/foresporsler")
def requests_page(
    request: Request,
    who: CustomerPage,
    system: SystemDep,
    feil: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The request form; ``feil`` (from "Mine opplysninger") names a value the customer
    says is wrong, and the form opens as a correction naming it."""
    typed = None
    if feil:
        lang = lang_of(request)
        with reading(system.engine) as conn:
            values = rectify.on_file(conn, system.vault, _person(who))
        found = next((v for v in values if v.key == feil), None)
        if found is not None:
            label = found.label[0 if lang == "nb" else 1]
            said = (
                f"{label} er feil (nå: {found.value or '–'}). Det riktige er: "
                if lang == "nb"
                else f"{label} is wrong (now: {found.value or '–'}). The right value is: "
            )
            typed = {"kind": "rectification", "text": said}
    return _requests_page(request, who, system, typed=typed)


@router.get("/opplysninger")
def on_file_page(request: Request, who: CustomerPage, system: SystemDep) -> Response:
    """What is on file about me (name, contact details, address, sites, panel users), each
    with "dette er feil", which opens a correction request naming the value."""
    with reading(system.engine) as conn:
        values = rectify.on_file(conn, system.vault, _person(who))
    return render(
        request,
        "mine_sider/on_file.html.j2",
        values=values,
        table_label=lambda table: table_label(table, lang_of(request)),
    )


@router.post("/foresporsler")
def open_request(
    request: Request,
    who: CustomerPage,
    system: SystemDep,
    kind: Annotated[
        Literal["rectification", "restriction", "erasure", "objection", "portability"], Form()
    ],
    text: Annotated[str, Form(max_length=2000)] = "",
    target: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Open a request; a refusal shows the form again with what was typed, and opens none.
    Data portability verified by the session is made at once, for the person to download."""
    wanted, said = Kind(kind), text.strip() or None
    aim = target.strip() if wanted is Kind.objection else ""
    typed = {"kind": kind, "text": text, "target": aim}
    try:
        if aim and aim != MARKETING:
            objection.objectable_activity(system.policy.policy, aim)
        with reading(system.engine) as conn:
            requests.check_new(conn, _person(who), wanted, said, aim or None)
    except requests.RequestError as exc:
        return _requests_page(request, who, system, error=str(exc), typed=typed)
    opened = selfservice.open_for_self(
        system, _person(who), wanted, said, aim or None, actor=who.actor
    )
    if wanted is Kind.portability and opened.verified_at is not None:
        selfservice.build_portable(system, opened.id, actor=who.actor)
        return done("/mine-sider/foresporsler", "portable-ready")
    return done("/mine-sider/foresporsler", "request-opened")


@router.get("/foresporsler/{request_id}/portabilitet.zip")
def download_portable(request_id: int, who: CustomerPage, system: SystemDep) -> Response:
    """The person's own data portability package (art. 20); the download is audited."""
    return _own_download(system, who, request_id)


def _own_download(system: System, who: Principal, request_id: int) -> Response:
    found = selfservice.download(system, _person(who), request_id, actor=who.actor)
    return FileResponse(
        found.path,
        media_type="application/zip",
        filename=found.filename,
        headers={"Cache-Control": "private, no-store"},
    )
