"""The customer-service console (``/kundeservice``): find a customer, register one with a
site, add and remove panel users and alarm contacts, end the relationship, and see who has
not yet been told they were registered. Every form calls one ``alarmvern.customers``
function, the same the API and the CLI call; the site's action plan is edited on the
operator console's page for the site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from alarmvern.customers import accounts, informing, search, sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.outbox.wiring import inform_now
from alarmvern.store.tables import alarm_contacts, customer_accounts, panel_users, persons
from alarmvern.store.tables import sites as site_table
from alarmvern.web.access import check_account
from alarmvern.web.api.common import PathId, not_found
from alarmvern.web.deps import SystemDep
from alarmvern.web.pages.render import PageRoute, ServicePage, done, render

router = APIRouter(prefix="/kundeservice", route_class=PageRoute, include_in_schema=False)
Field = Annotated[str, Form(max_length=200)]
PURPOSE = "customer-service"


@router.get("")
def find(
    request: Request,
    who: ServicePage,
    system: SystemDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    hits = None
    if q and len(q.strip()) >= 2:
        with system.engine.begin() as conn:
            hits = search.find(conn, actor=who.actor, query=q)
    return render(request, "kundeservice/find.html.j2", q=q or "", hits=hits)


@router.get("/ny")
def new_form(request: Request, _who: ServicePage) -> Response:
    return render(request, "kundeservice/new.html.j2")


@router.post("/ny")
def register(
    who: ServicePage,
    system: SystemDep,
    customer_no: Field,
    name: Field,
    street: Field,
    postcode: Annotated[str, Form(max_length=10)],
    email: Field = "",
    phone: Field = "",
    city: Field = "",
    panel_account: Annotated[str, Form(max_length=16)] = "",
    panel_key: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The holder, the account and its first site, in one transaction."""
    with system.engine.begin() as conn:
        made = accounts.register_customer(
            conn,
            actor=who.actor,
            customer_no=customer_no,
            holder=PersonIn(name, email, phone, street, postcode, city),
        )
        sites.add_site(
            conn,
            system.vault,
            actor=who.actor,
            account_id=made.account_id,
            street=street,
            postcode=postcode,
            city=city,
            panel_account=panel_account,
            panel_key=panel_key or None,
        )
    return done(f"/kundeservice/kunde/{made.account_id}", "customer-registered")


@router.get("/kunde/{account_id}")
def customer(request: Request, who: ServicePage, system: SystemDep, account_id: PathId) -> Response:
    with system.engine.begin() as conn:
        account = conn.execute(
            select(customer_accounts).where(customer_accounts.c.id == account_id)
        ).first()
        if account is None:
            raise not_found("account", account_id)
        check_account(conn, who, account_id, PURPOSE)
        holder = conn.execute(
            select(persons).where(persons.c.id == account.holder_person_id)
        ).first()
        found = conn.execute(
            select(site_table)
            .where(site_table.c.account_id == account_id)
            .order_by(site_table.c.id)
        ).all()
        users = conn.execute(
            select(panel_users, persons.c.name)
            .outerjoin(persons, persons.c.id == panel_users.c.person_id)
            .where(panel_users.c.account_id == account_id, panel_users.c.removed_at.is_(None))
            .order_by(panel_users.c.user_no)
        ).all()
        contacts = conn.execute(
            select(alarm_contacts, persons.c.name, persons.c.phone, persons.c.email)
            .join(persons, persons.c.id == alarm_contacts.c.person_id)
            .where(alarm_contacts.c.account_id == account_id, alarm_contacts.c.removed_at.is_(None))
            .order_by(alarm_contacts.c.priority)
        ).all()
    return render(
        request,
        "kundeservice/customer.html.j2",
        account=account,
        holder=holder,
        sites=found,
        users=users,
        contacts=contacts,
        today=datetime.now(UTC).date(),
    )


@router.post("/anlegg/{site_id}/brukere")
def add_user(
    who: ServicePage,
    system: SystemDep,
    later: BackgroundTasks,
    site_id: PathId,
    user_no: Annotated[str, Form(max_length=5)],
    name: Field,
    email: Field = "",
    phone: Field = "",
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    with system.engine.begin() as conn:
        sites.add_panel_user(
            conn,
            actor=who.actor,
            site_id=site_id,
            user_no=user_no,
            person=PersonIn(name, email, phone),
            code=code or None,
        )
        account = _account_of(conn, site_id)
    later.add_task(inform_now, system)
    return done(f"/kundeservice/kunde/{account}", "user-added")


@router.post("/anlegg/{site_id}/kontakter")
def add_contact(
    who: ServicePage,
    system: SystemDep,
    later: BackgroundTasks,
    site_id: PathId,
    name: Field,
    email: Field = "",
    phone: Field = "",
    priority: Annotated[str, Form(max_length=3)] = "",
    has_keys: Annotated[bool, Form()] = False,
) -> Response:
    with system.engine.begin() as conn:
        sites.add_contact(
            conn,
            actor=who.actor,
            site_id=site_id,
            person=PersonIn(name, email, phone),
            priority=priority or None,
            has_keys=has_keys,
        )
        account = _account_of(conn, site_id)
    later.add_task(inform_now, system)
    return done(f"/kundeservice/kunde/{account}", "contact-added")


def _account_of(conn: object, site_id: int) -> int:
    query = select(site_table.c.account_id).where(site_table.c.id == site_id)
    return int(conn.execute(query).scalar_one())  # type: ignore[attr-defined]


@router.post("/brukere/{panel_user_id}/fjern")
def remove_user(who: ServicePage, system: SystemDep, panel_user_id: PathId) -> Response:
    with system.engine.begin() as conn:
        sites.remove_panel_user(conn, actor=who.actor, panel_user_id=panel_user_id)
        account = conn.execute(
            select(panel_users.c.account_id).where(panel_users.c.id == panel_user_id)
        ).scalar_one()
    return done(f"/kundeservice/kunde/{account}", "user-removed")


@router.post("/kontakter/{contact_id}/fjern")
def remove_contact(who: ServicePage, system: SystemDep, contact_id: PathId) -> Response:
    with system.engine.begin() as conn:
        sites.remove_contact(conn, actor=who.actor, contact_id=contact_id)
        account = conn.execute(
            select(alarm_contacts.c.account_id).where(alarm_contacts.c.id == contact_id)
        ).scalar_one()
    return done(f"/kundeservice/kunde/{account}", "contact-removed")


@router.post("/kunde/{account_id}/avslutt")
def end(
    who: ServicePage, system: SystemDep, account_id: PathId, ended_at: Annotated[str, Form()]
) -> Response:
    with system.engine.begin() as conn:
        accounts.end_relationship(conn, actor=who.actor, account_id=account_id, at=ended_at)
    return done(f"/kundeservice/kunde/{account_id}", "customer-ended")


@router.get("/ikke-informert")
def uninformed(request: Request, _who: ServicePage, system: SystemDep) -> Response:
    with system.engine.connect() as conn:
        found = informing.pending(conn, system.policy.policy)
    now = datetime.now(UTC)
    return render(request, "kundeservice/uninformed.html.j2", found=found, now=now)
