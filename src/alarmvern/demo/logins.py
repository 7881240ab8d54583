"""Demo logins, one per role, with passwords printed for the person trying the demo.

They are made only in a demo data folder; a real installation creates its logins with
``alarmvern login``, which asks for the password. The demo customer is given something to
look at when the login is made: an alarm with verification pictures on Mine Sider, and
requests of their own (access, a correction in their words, erasure) in the DPO's queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from alarmvern.demo.synthetic import ACTOR, incident_with_pictures
from alarmvern.rights import selfservice
from alarmvern.rights.requests import Kind
from alarmvern.store.engine import reading
from alarmvern.store.tables import customer_accounts, logins, media, persons, sites
from alarmvern.system import System
from alarmvern.web.security import Role, create_login, hash_password


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str


STAFF = (
    DemoLogin(Role.operator, "operator", "demo-alarmvakt-1"),
    DemoLogin(Role.customer_service, "kundeservice", "demo-servicetorg-1"),
    DemoLogin(Role.dpo, "personvern", "demo-ombudet-1"),
)
CUSTOMER_PASSWORD = "demo-kunde-1234"
PICTURES = 3  # the demo customer's latest alarm: three pictures, four seconds apart
# The demo customer's own requests, as they would write them on Mine Sider, for the DPO's
# queue. No access request: the customer makes their package themselves ("Last ned mine
# data"), and an open one would hide that button from whoever tries the demo.
REQUESTS: tuple[tuple[Kind, str | None], ...] = (
    (
        Kind.rectification,
        "Telefonnummeret mitt er feil: det siste sifferet skal være 7, ikke 4.",
    ),
    (
        Kind.erasure,
        "Jeg har flyttet og trenger ikke alarmen lenger. Vennligst fjern opplysningene mine.",
    ),
)


def ensure(system: System) -> list[DemoLogin]:
    """The demo logins, made the first time: staff, and the first synthetic customer.

    The passwords are hashed before the write transaction (argon2 is slow on purpose, and
    the demo's receiver shares the database)."""
    with reading(system.engine) as conn:
        existing = set(conn.execute(select(logins.c.username)).scalars())
        holder = conn.execute(
            select(persons.c.id, persons.c.email, persons.c.name)
            .join(customer_accounts, customer_accounts.c.holder_person_id == persons.c.id)
            .where(persons.c.email.is_not(None))
            .order_by(customer_accounts.c.id)
            .limit(1)
        ).first()
    hashes = {
        login.username: hash_password(login.password, login.username)
        for login in STAFF
        if login.username not in existing
    }
    username = str(holder.email).lower() if holder is not None else None
    if username is not None and username not in existing:
        hashes[username] = hash_password(CUSTOMER_PASSWORD, username)
    made: list[DemoLogin] = list(STAFF)
    with system.engine.begin() as conn:
        for login in STAFF:
            if login.username in hashes:
                create_login(
                    conn,
                    username=login.username,
                    password_hash=hashes[login.username],
                    role=login.role,
                )
        if holder is not None and username is not None:
            if username in hashes:
                create_login(
                    conn,
                    username=username,
                    password_hash=hashes[username],
                    role=Role.customer,
                    person_id=int(holder.id),
                    display_name=holder.name,
                )
            made.insert(0, DemoLogin(Role.customer, username, CUSTOMER_PASSWORD))
    if holder is not None and username in hashes:  # the customer's login is new
        show_case(system, int(holder.id))
    return made


def show_case(system: System, person_id: int) -> None:
    """What the demo customer finds: pictures of an alarm at their site (unless they have
    pictures already), and their requests waiting in the DPO's queue."""
    with system.engine.begin() as conn:
        place = conn.execute(
            select(customer_accounts.c.id, sites.c.id.label("site"))
            .join(sites, sites.c.account_id == customer_accounts.c.id)
            .where(customer_accounts.c.holder_person_id == person_id)
            .order_by(sites.c.id)
            .limit(1)
        ).first()
        if place is not None:
            shown = select(func.count()).where(media.c.account_id == place.id)
            if not conn.execute(shown).scalar_one():
                opened = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
                incident_with_pictures(
                    conn, system.vault, place.id, place.site, "burglary", opened, PICTURES, seed=1
                )
    for kind, text in REQUESTS:
        selfservice.open_for_self(system, person_id, kind, text, actor=ACTOR)
