"""The customer-service console (``/kundeservice``): find a customer, register one with a
site, add and remove panel users and alarm contacts, send the holder an activation link,
end the relationship, import customers from a CSV file, and see who has not yet been told
they were registered. Every form calls ``alarmvern.customers`` functions, the same the API
and the CLI call, in the one shape of :func:`_change`; the site's action plan is edited on
the operator console's page for the site."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import Connection

from alarmvern.customers import accounts, importing, informing, logins, search, sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.customers.overview import overview
from alarmvern.outbox.wiring import inform_now, outbox_of
from alarmvern.web.api.common import PathId
from alarmvern.web.deps import SystemDep
from alarmvern.web.pages.render import PageRoute, ServicePage, done, render
from alarmvern.web.visibility import check_account

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
        hits = search.find(system.engine, actor=who.actor, query=q).hits
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

    def make(conn: Connection) -> int:
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
        return made.account_id

    return _change(system, make, "customer-registered")


@router.get("/kunde/{account_id}")
def customer(request: Request, who: ServicePage, system: SystemDep, account_id: PathId) -> Response:
    with system.engine.begin() as conn:
        check_account(conn, who, account_id, PURPOSE)
        seen = overview(conn, account_id)
    return render(
        request,
        "kundeservice/customer.html.j2",
        account=seen.account,
        holder=seen.holder,
        sites=seen.sites,
        users=seen.users,
        contacts=seen.contacts,
        login=seen.login,
        today=datetime.now(UTC).date(),
    )


def _change(
    system: SystemDep,
    make: Callable[[Connection], int],
    ok: str,
    later: BackgroundTasks | None = None,
) -> Response:
    """Every form's shape: one change in one transaction (``make`` returns the account it
    changed), back to the customer's page with a confirmation; people registered by the
    change are told (art. 14(3)) after it has committed."""
    with system.engine.begin() as conn:
        account = make(conn)
    if later is not None:
        later.add_task(inform_now, system)
    return done(f"/kundeservice/kunde/{account}", ok)


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
    def make(conn: Connection) -> int:
        sites.add_panel_user(
            conn,
            actor=who.actor,
            site_id=site_id,
            user_no=user_no,
            person=PersonIn(name, email, phone),
            code=code or None,
        )
        return sites.account_of_site(conn, site_id)

    return _change(system, make, "user-added", later)


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
    def make(conn: Connection) -> int:
        sites.add_contact(
            conn,
            actor=who.actor,
            site_id=site_id,
            person=PersonIn(name, email, phone),
            priority=priority or None,
            has_keys=has_keys,
        )
        return sites.account_of_site(conn, site_id)

    return _change(system, make, "contact-added", later)


@router.post("/brukere/{panel_user_id}/fjern")
def remove_user(who: ServicePage, system: SystemDep, panel_user_id: PathId) -> Response:
    return _change(
        system,
        lambda c: (
            sites.remove_panel_user(c, actor=who.actor, panel_user_id=panel_user_id).account_id
        ),
        "user-removed",
    )


@router.post("/kontakter/{contact_id}/fjern")
def remove_contact(who: ServicePage, system: SystemDep, contact_id: PathId) -> Response:
    def make(conn: Connection) -> int:
        return sites.remove_contact(conn, actor=who.actor, contact_id=contact_id).account_id

    return _change(system, make, "contact-removed")


@router.post("/kunde/{account_id}/innlogging")
def invite(
    who: ServicePage, system: SystemDep, later: BackgroundTasks, account_id: PathId
) -> Response:
    """E-mail the holder an activation link (the first login), once it is stored."""
    with system.engine.begin() as conn:
        link = logins.invite(conn, actor=who.actor, account_id=account_id)
    policy, outbox = system.policy.policy, outbox_of(system)
    later.add_task(logins.send_link, system.engine, system.vault, policy, outbox, link)
    return done(f"/kundeservice/kunde/{account_id}", "invited")


@router.post("/kunde/{account_id}/avslutt")
def end(
    who: ServicePage, system: SystemDep, account_id: PathId, ended_at: Annotated[str, Form()]
) -> Response:
    def make(conn: Connection) -> int:
        accounts.end_relationship(conn, actor=who.actor, account_id=account_id, at=ended_at)
        return account_id

    return _change(system, make, "customer-ended")


@router.get("/import")
def import_form(request: Request, _who: ServicePage) -> Response:
    return render(request, "kundeservice/import.html.j2", report=None, columns=importing.COLUMNS)


@router.post("/import")
def import_file(
    request: Request,
    who: ServicePage,
    system: SystemDep,
    file: Annotated[UploadFile, File()],
    mode: Annotated[Literal["check", "import"], Form()] = "check",
) -> Response:
    """Check the CSV (a dry run: every bad row by line and column, nothing changed), or
    import it, only if no row is bad (see importing.import_customers for its transactions)."""
    report = importing.import_customers(
        system.engine,
        system.vault,
        importing.lines_of(file.file.read()),
        actor=who.actor,
        dry_run=mode == "check",
    )
    return render(
        request,
        "kundeservice/import.html.j2",
        status_code=422 if report.bad else 200,
        report=report,
        mode=mode,
        name=file.filename or "",
        columns=importing.COLUMNS,
    )


@router.get("/ikke-informert")
def uninformed(request: Request, _who: ServicePage, system: SystemDep) -> Response:
    with system.engine.connect() as conn:
        found = informing.pending(conn, system.policy.policy)
    now = datetime.now(UTC)
    return render(request, "kundeservice/uninformed.html.j2", found=found, now=now)
