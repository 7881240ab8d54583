"""Customer service's changes: register and end customers, sites, contracts, panel users,
leads; who is not yet told they were registered. Each route calls one function of
``alarmvern.customers`` in one transaction; messages to registered people go after it
commits, in the background (``outbox``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Response
from pydantic import BaseModel, Field

from alarmvern.customers import accounts, contracts, informing, sites
from alarmvern.customers import logins as links
from alarmvern.customers.accounts import PersonIn
from alarmvern.outbox.wiring import inform_now, outbox_of
from alarmvern.web.api.common import ERRORS, PREFIX, PathId
from alarmvern.web.api.schemas import In
from alarmvern.web.deps import Dpo, Service, SystemDep

router = APIRouter(prefix=PREFIX, tags=["customers"], responses=ERRORS)
Short = Annotated[str | None, Field(default=None, max_length=200)]


class PersonBody(In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Short = None
    phone: Short = None
    street: Short = None
    postcode: Short = None
    city: Short = None

    def given(self) -> PersonIn:
        return PersonIn(self.name, self.email, self.phone, self.street, self.postcode, self.city)


class CustomerIn(PersonBody):
    customer_no: Annotated[str, Field(min_length=1, max_length=32)]
    kind: Literal["private", "business"] = "private"
    org_no: Short = None
    org_name: Short = None
    started_at: datetime | None = None


class Made(BaseModel):
    id: int


class RegisteredOut(BaseModel):
    account_id: int
    person_id: int


class SiteIn(In):
    street: Short = None
    postcode: Short = None
    city: Short = None
    panel_type: Short = None
    panel_account: Short = None
    panel_key: Short = None
    panel_key_form: Literal["hex", "text"] = "hex"
    supervision_seconds: Annotated[int | None, Field(ge=60, le=604800)] = None


class ContractIn(In):
    product: Annotated[str, Field(min_length=1, max_length=100)]
    signed_at: datetime | None = None


class EndIn(In):
    ended_at: datetime


class PanelUserIn(In):
    user_no: Annotated[int, Field(ge=0, le=9999)]
    person_id: Annotated[int | None, Field(ge=1)] = None
    person: PersonBody | None = None
    code: Annotated[str | None, Field(default=None, max_length=12)] = None


class LeadIn(PersonBody):
    kind: Literal["contact_form", "quote_request", "site_survey"] = "contact_form"
    message: Annotated[str | None, Field(default=None, max_length=2000)] = None


class ConvertIn(In):
    customer_no: Annotated[str, Field(min_length=1, max_length=32)]


class PendingOut(BaseModel):
    role: str
    row_id: int
    person_id: int
    registered_at: datetime
    inform_by: datetime


@router.post("/customers", response_model=RegisteredOut, status_code=201)
def register(system: SystemDep, who: Service, body: CustomerIn) -> RegisteredOut:
    """Registrer en kunde / register a customer: the holder and the account."""
    with system.engine.begin() as conn:
        made = accounts.register_customer(
            conn,
            actor=who.actor,
            customer_no=body.customer_no,
            holder=body.given(),
            kind=body.kind,
            org_no=body.org_no,
            org_name=body.org_name,
            started_at=body.started_at,
        )
    return RegisteredOut(account_id=made.account_id, person_id=made.person_id)


@router.post("/customers/{account_id}/sites", response_model=Made, status_code=201)
def add_site(system: SystemDep, who: Service, account_id: PathId, body: SiteIn) -> Made:
    """Legg til et anlegg / add a site (address, supervision, panel account and key)."""
    with system.engine.begin() as conn:
        site = sites.add_site(
            conn, system.vault, actor=who.actor, account_id=account_id, **body.model_dump()
        )
    return Made(id=site)


@router.post("/customers/{account_id}/contracts", response_model=Made, status_code=201)
def add_contract(system: SystemDep, who: Service, account_id: PathId, body: ContractIn) -> Made:
    """Registrer en avtale / register a contract."""
    with system.engine.begin() as conn:
        made = contracts.add_contract(
            conn,
            actor=who.actor,
            account_id=account_id,
            product=body.product,
            signed_at=body.signed_at,
        )
    return Made(id=made)


@router.post("/customers/{account_id}/end", status_code=204, response_class=Response)
def end_customer(system: SystemDep, who: Service, account_id: PathId, body: EndIn) -> Response:
    """Avslutt kundeforholdet / end the customer relationship on a date."""
    with system.engine.begin() as conn:
        accounts.end_relationship(conn, actor=who.actor, account_id=account_id, at=body.ended_at)
    return Response(status_code=204)


class InvitedOut(BaseModel):
    login_id: int
    expires_at: datetime


@router.post("/customers/{account_id}/invite", response_model=InvitedOut, status_code=202)
def invite(
    system: SystemDep, who: Service, account_id: PathId, later: BackgroundTasks
) -> InvitedOut:
    """Send aktiveringslenke / e-mail the holder a link to choose a password (the first
    login); it goes once the login is stored, and works once, for 7 days."""
    with system.engine.begin() as conn:
        link = links.invite(conn, actor=who.actor, account_id=account_id)
    later.add_task(
        links.send_link, system.engine, system.vault, system.policy.policy, outbox_of(system), link
    )
    return InvitedOut(login_id=link.login_id, expires_at=link.expires_at)


@router.post("/contracts/{contract_id}/end", status_code=204, response_class=Response)
def end_contract(system: SystemDep, who: Service, contract_id: PathId, body: EndIn) -> Response:
    """Avslutt en avtale / end a contract on a date."""
    with system.engine.begin() as conn:
        contracts.end_contract(conn, actor=who.actor, contract_id=contract_id, at=body.ended_at)
    return Response(status_code=204)


@router.post("/sites/{site_id}/panel-users", response_model=Made, status_code=201)
def add_panel_user(
    system: SystemDep, who: Service, site_id: PathId, body: PanelUserIn, later: BackgroundTasks
) -> Made:
    """Legg til en bruker av panelet / add a panel user (the code is kept as a hash)."""
    with system.engine.begin() as conn:
        made = sites.add_panel_user(
            conn,
            actor=who.actor,
            site_id=site_id,
            user_no=body.user_no,
            person=body.person.given() if body.person else None,
            person_id=body.person_id,
            code=body.code,
        )
    later.add_task(inform_now, system)
    return Made(id=made)


@router.delete(
    "/sites/{site_id}/panel-users/{panel_user_id}", status_code=204, response_class=Response
)
def remove_panel_user(
    system: SystemDep, who: Service, site_id: PathId, panel_user_id: PathId
) -> Response:
    """Fjern en bruker / remove a panel user (their retention runs from today)."""
    with system.engine.begin() as conn:
        sites.remove_panel_user(conn, actor=who.actor, panel_user_id=panel_user_id, site_id=site_id)
    return Response(status_code=204)


@router.post("/leads", response_model=Made, status_code=201)
def register_lead(system: SystemDep, who: Service, body: LeadIn) -> Made:
    """Registrer en interessent / register a lead."""
    with system.engine.begin() as conn:
        made = accounts.register_lead(
            conn, actor=who.actor, person=body.given(), kind=body.kind, message=body.message
        )
    return Made(id=made)


@router.post("/leads/{lead_id}/convert", response_model=RegisteredOut, status_code=201)
def convert_lead(
    system: SystemDep, who: Service, lead_id: PathId, body: ConvertIn
) -> RegisteredOut:
    """Gjør interessenten til kunde / turn the lead into a customer."""
    with system.engine.begin() as conn:
        made = accounts.convert_lead(
            conn, actor=who.actor, lead_id=lead_id, customer_no=body.customer_no
        )
    return RegisteredOut(account_id=made.account_id, person_id=made.person_id)


@router.get("/informing/pending", response_model=list[PendingOut])
def not_yet_informed(system: SystemDep, who: Dpo) -> list[PendingOut]:
    """Ikke informert ennå / registered by someone else and not yet told (art. 14(3))."""
    with system.engine.connect() as conn:
        found = informing.pending(conn, system.policy.policy)
    return [
        PendingOut(
            role=p.role,
            row_id=p.row_id,
            person_id=p.person_id,
            registered_at=p.registered_at,
            inform_by=p.inform_by,
        )
        for p in found
    ]
