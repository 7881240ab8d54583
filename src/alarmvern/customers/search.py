"""Finding a customer by name, phone, e-mail, customer number or address (audited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, or_, select

from alarmvern.customers import parse
from alarmvern.customers._rows import RELATIONSHIP, note
from alarmvern.customers.errors import InputError
from alarmvern.store.tables import customer_accounts, persons, sites


@dataclass(frozen=True)
class Hit:
    account_id: int
    customer_no: str
    person_id: int | None
    name: str | None
    ended: bool


def find(conn: Connection, *, actor: str, query: str, limit: int = 50) -> list[Hit]:
    """Accounts whose holder's name, e-mail, phone or address, whose customer number, or
    one of whose sites' address matches ``query``. The search is audited (counts only)."""
    text = (query or "").strip().lower()
    if len(text) < 2:
        raise InputError("q", "skriv minst to tegn", "type at least two characters")
    matches = [
        func.lower(persons.c.name).contains(text, autoescape=True),
        func.lower(persons.c.email).contains(text, autoescape=True),
        func.lower(persons.c.street).contains(text, autoescape=True),
        func.lower(customer_accounts.c.customer_no) == text,
        customer_accounts.c.id.in_(
            select(sites.c.account_id).where(
                func.lower(sites.c.street).contains(text, autoescape=True)
            )
        ),
    ]
    try:
        number = parse.phone(query)
    except InputError:
        number = None
    if number:
        matches.append(persons.c.phone == number)
    rows = conn.execute(
        select(
            customer_accounts.c.id,
            customer_accounts.c.customer_no,
            customer_accounts.c.holder_person_id,
            customer_accounts.c.ended_at,
            persons.c.name,
        )
        .outerjoin(persons, persons.c.id == customer_accounts.c.holder_person_id)
        .where(or_(*matches))
        .order_by(customer_accounts.c.id)
        .limit(limit)
    ).all()
    note(conn, actor, "staff.search", "customers", RELATIONSHIP, results=len(rows))
    return [
        Hit(int(r.id), r.customer_no, r.holder_person_id, r.name, r.ended_at is not None)
        for r in rows
    ]
