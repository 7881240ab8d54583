"""Finding a customer by name, phone, e-mail, customer number or address (audited).

The one search the console, the API and the CLI share. It reads without a write lock and
audits the look (counts only) in a short transaction of its own, durable before the answer
leaves, so that searching never holds a lock that alarm intake waits for.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, or_, select

from alarmvern.audit.group import append_alone
from alarmvern.customers import parse
from alarmvern.customers._rows import RELATIONSHIP
from alarmvern.customers.errors import InputError
from alarmvern.store.engine import reading
from alarmvern.store.tables import customer_accounts, persons, sites


@dataclass(frozen=True)
class Hit:
    account_id: int
    customer_no: str
    person_id: int | None
    name: str | None
    ended: bool


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    next_after: int | None  # the account id to continue after, if there are more


def find(
    engine: Engine, *, actor: str, query: str, limit: int = 50, after: int | None = None
) -> Found:
    """Accounts whose holder's name, e-mail, phone or address, whose customer number, or
    one of whose sites' address matches ``query``, by account id, ``limit`` at a time
    (after the account ``after``). A phone number matches however it is written."""
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
    statement = (
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
        .limit(limit + 1)
    )
    if after is not None:
        statement = statement.where(customer_accounts.c.id > after)
    with reading(engine) as conn:
        rows = conn.execute(statement).all()
    hits = [
        Hit(int(r.id), r.customer_no, r.holder_person_id, r.name, r.ended_at is not None)
        for r in rows[:limit]
    ]
    append_alone(
        engine,
        actor=actor,
        action="staff.search",
        subject="customers",
        purpose=RELATIONSHIP,
        details={"results": len(hits)},
    )
    return Found(hits, hits[-1].account_id if len(rows) > limit else None)
