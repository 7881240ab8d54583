"""People, customers, sites, panel users and alarm contacts.

A customer sees their own person and accounts (anything else is "not found", so ids cannot be
probed); customer service and the DPO see what their work needs, and each look is audited;
operators see people only through an incident (``/incidents/{id}``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Response
from sqlalchemy import Connection

from alarmvern.customers import overview, search
from alarmvern.customers import sites as customer_sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.outbox.wiring import inform_now
from alarmvern.store.tables import customer_accounts, persons
from alarmvern.store.tables.columns import as_utc
from alarmvern.web.api.common import (
    ERRORS,
    PREFIX,
    AfterId,
    Limit,
    PathId,
    connection_for,
    is_office_staff,
    require_row,
)
from alarmvern.web.api.schemas import (
    AccountOut,
    ContactIn,
    ContactOut,
    CustomerHit,
    CustomerPage,
    PanelUserOut,
    PersonOut,
    SiteOut,
)
from alarmvern.web.deps import PrincipalDep, Service, SystemDep, require
from alarmvern.web.security import Principal, Role
from alarmvern.web.visibility import check_account, check_person, check_site

router = APIRouter(prefix=PREFIX, tags=["people"], responses=ERRORS)
ContactEditor = Annotated[Principal, Depends(require(Role.customer, Role.customer_service))]
PURPOSE = "customer-service"


def see_person(conn: Connection, who: Principal, person_id: PathId) -> Any:
    """The person's row, once ``who`` may see it (staff looks audited)."""
    if not is_office_staff(who):
        check_person(conn, who, person_id, PURPOSE)  # customers: 404 unless theirs
    row = require_row(conn, persons, person_id, "person")
    if is_office_staff(who):
        check_person(conn, who, person_id, PURPOSE)
    return row


def see_account(conn: Connection, who: Principal, account_id: PathId) -> Any:
    if not is_office_staff(who):
        check_account(conn, who, account_id, PURPOSE)
    row = require_row(conn, customer_accounts, account_id, "account")
    if is_office_staff(who):
        check_account(conn, who, account_id, PURPOSE)
    return row


@router.get("/people/{person_id}", response_model=PersonOut)
def person(system: SystemDep, who: PrincipalDep, person_id: PathId) -> PersonOut:
    """En person / a person: a customer their own; staff audited; operators refused."""
    with connection_for(system, who) as conn:
        row = see_person(conn, who, person_id)
    return PersonOut(
        id=row.id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        street=row.street,
        postcode=row.postcode,
        city=row.city,
        birth_date=row.birth_date,
    )


@router.get("/customers", response_model=CustomerPage)
def customers(
    system: SystemDep,
    who: Service,
    q: Annotated[
        str,
        Query(
            min_length=2,
            max_length=100,
            description="Name, e-mail, phone, customer number or address.",
        ),
    ],
    limit: Limit = 50,
    after: AfterId = None,
) -> CustomerPage:
    """Finn kunder / search customers; the answer is minimal and the search audited."""
    found = search.find(system.engine, actor=who.actor, query=q, limit=limit, after=after)
    items = [
        CustomerHit(
            account_id=h.account_id, customer_no=h.customer_no, person_id=h.person_id, name=h.name
        )
        for h in found.hits
    ]
    return CustomerPage(items=items, next_after=found.next_after)


@router.get("/customers/{account_id}", response_model=AccountOut)
def account(system: SystemDep, who: PrincipalDep, account_id: PathId) -> AccountOut:
    """Et kundeforhold med anleggene / an account and its sites."""
    with connection_for(system, who) as conn:
        row = see_account(conn, who, account_id)
        found = overview.sites_of(conn, account_id)
    return AccountOut(
        id=row.id,
        customer_no=row.customer_no,
        kind=row.kind,
        holder_person_id=row.holder_person_id,
        org_no=row.org_no,
        org_name=row.org_name,
        started_at=as_utc(row.started_at),
        ended_at=None if row.ended_at is None else as_utc(row.ended_at),
        sites=[
            SiteOut(
                id=s.id,
                street=s.street,
                postcode=s.postcode,
                city=s.city,
                municipality=s.municipality,
                panel_type=s.panel_type,
            )
            for s in found
        ],
    )


@router.get("/sites/{site_id}/users", response_model=list[PanelUserOut])
def site_users(system: SystemDep, who: PrincipalDep, site_id: PathId) -> list[PanelUserOut]:
    """Brukerne av alarmpanelet / the panel's users."""
    with connection_for(system, who) as conn:
        check_site(conn, who, site_id, PURPOSE)
        rows = overview.site_users(conn, site_id)
    return [
        PanelUserOut(id=r.id, user_no=r.user_no, person_id=r.person_id, display_name=r.display_name)
        for r in rows
    ]


def _contacts(conn: Connection, site_id: PathId) -> list[ContactOut]:
    return [
        ContactOut(
            id=r.id,
            person_id=r.person_id,
            name=r.name,
            phone=r.phone,
            priority=r.priority,
            has_keys=bool(r.has_keys),
        )
        for r in overview.site_contacts(conn, site_id)
    ]


@router.get("/sites/{site_id}/contacts", response_model=list[ContactOut])
def site_contacts(system: SystemDep, who: PrincipalDep, site_id: PathId) -> list[ContactOut]:
    """Alarmkontaktene / the site's alarm contacts, by priority."""
    with connection_for(system, who) as conn:
        check_site(conn, who, site_id, PURPOSE)
        return _contacts(conn, site_id)


@router.post("/sites/{site_id}/contacts", response_model=ContactOut, status_code=201)
def add_contact(
    system: SystemDep, who: ContactEditor, site_id: PathId, body: ContactIn, later: BackgroundTasks
) -> ContactOut:
    """Legg til en alarmkontakt / add an alarm contact to the site (a new person), who is
    then told of it (art. 14(3)) once the change has committed."""
    with system.engine.begin() as conn:
        check_site(conn, who, site_id, PURPOSE)
        made = customer_sites.add_contact(
            conn,
            actor=who.actor,
            site_id=site_id,
            person=PersonIn(name=body.name, phone=body.phone),
            priority=body.priority,
            has_keys=body.has_keys,
        )
        added = next(c for c in _contacts(conn, site_id) if c.id == made)
    later.add_task(inform_now, system)
    return added


@router.delete("/sites/{site_id}/contacts/{contact_id}", status_code=204, response_class=Response)
def remove_contact(
    system: SystemDep, who: ContactEditor, site_id: PathId, contact_id: PathId
) -> Response:
    """Fjern en alarmkontakt / remove an alarm contact (their retention runs from today)."""
    with system.engine.begin() as conn:
        check_site(conn, who, site_id, PURPOSE)
        customer_sites.remove_contact(conn, actor=who.actor, contact_id=contact_id, site_id=site_id)
    return Response(status_code=204)
