"""Demo logins, one per role, with passwords printed for the person trying the demo.

They are made only in a demo data folder; a real installation creates its logins with
``alarmvern login``, which asks for the password.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from alarmvern.store.engine import reading
from alarmvern.store.tables import customer_accounts, logins, persons
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
    return made
