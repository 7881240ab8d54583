"""Customers: register one (holder and account), change a person, end a relationship, and
leads (registered, then turned into customers).

Every function writes in the caller's transaction and audits what it changed; the CLI, the
API, the console and the importer all call these, so a rule lives here once. Bad input
raises :class:`~alarmvern.customers.errors.InputError` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, select, update

from alarmvern.customers import parse
from alarmvern.customers._rows import RELATIONSHIP, changed, insert, new_person, note, row
from alarmvern.customers.errors import ConflictError, InputError
from alarmvern.store.tables import (
    alarm_contacts,
    contracts,
    customer_accounts,
    leads,
    panel_users,
    persons,
)
from alarmvern.store.tables.columns import as_utc

KINDS = ("private", "business")
LEAD_KINDS = ("contact_form", "quote_request", "site_survey")


@dataclass(frozen=True)
class PersonIn:
    """A person as typed: parsed and normalised by :func:`person_values`."""

    name: str | None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None


def person_values(given: PersonIn, prefix: str = "") -> dict[str, Any]:
    """The columns of ``persons`` from ``given``; field names carry ``prefix`` in errors."""
    return {
        "name": parse.required(given.name, f"{prefix}name", "navnet", "the name"),
        "email": parse.email(given.email, f"{prefix}email"),
        "phone": parse.phone(given.phone, f"{prefix}phone"),
        "street": parse.optional(given.street),
        "postcode": parse.optional(given.postcode),
        "city": parse.optional(given.city),
    }


@dataclass(frozen=True)
class Registered:
    account_id: int
    person_id: int


_NUMBER_TAKEN = select(customer_accounts.c.id).where(
    customer_accounts.c.customer_no == bindparam("number")
)


def check_customer_no(conn: Connection, customer_no: str | None) -> str:
    number = parse.required(customer_no, "customer_no", "kundenummeret", "the customer number")
    taken = conn.execute(_NUMBER_TAKEN, {"number": number}).first()
    if taken is not None:
        raise ConflictError(
            "customer_no", "kundenummeret er allerede i bruk", "the customer number is in use"
        )
    return number


def register_customer(
    conn: Connection,
    *,
    actor: str,
    customer_no: str | None,
    holder: PersonIn,
    kind: str = "private",
    org_no: str | None = None,
    org_name: str | None = None,
    started_at: datetime | str | None = None,
    holder_person_id: int | None = None,
) -> Registered:
    """A new customer: the holder (a new person, or ``holder_person_id``) and the account."""
    number = check_customer_no(conn, customer_no)
    if kind not in KINDS:
        raise InputError("kind", "må være private eller business", "must be private or business")
    org = parse.optional(org_no)
    if org is not None and not (len(org) == 9 and org.isdigit()):
        raise InputError("org_no", "organisasjonsnummeret må ha 9 sifre", "org_no needs 9 digits")
    started = parse.moment(started_at, "started_at") or datetime.now(UTC)
    if holder_person_id is None:
        person = new_person(conn, **person_values(holder))
    else:
        person = int(row(conn, persons, holder_person_id, "holder_person_id").id)
        conn.execute(
            update(persons).where(persons.c.id == person).values(relationship_ended_at=None)
        )
    account = insert(
        conn,
        customer_accounts,
        customer_no=number,
        kind=kind,
        holder_person_id=person,
        org_no=org,
        org_name=parse.optional(org_name),
        started_at=started,
    )
    note(conn, actor, "customer.registered", f"account:{account}", RELATIONSHIP, person=person)
    return Registered(account, person)


def change_person(conn: Connection, *, actor: str, person_id: int, given: PersonIn) -> list[str]:
    """Change a person's name, contact details and address; the fields that changed."""
    before = row(conn, persons, person_id, "person_id")
    values = changed(before, person_values(given))
    if values:
        conn.execute(update(persons).where(persons.c.id == person_id).values(**values))
        note(
            conn,
            actor,
            "person.changed",
            f"person:{person_id}",
            RELATIONSHIP,
            fields=sorted(values),
        )
    return sorted(values)


def end_relationship(
    conn: Connection, *, actor: str, account_id: int, at: datetime | str | None
) -> datetime:
    """End the customer relationship on ``at``: the account's and its open contracts' end
    dates are set (retention runs from them), and each person of the account who has no
    other live role gets the same end date. Refused if already ended."""
    account = row(conn, customer_accounts, account_id, "account_id")
    end = parse.moment(at, "ended_at")
    if end is None:
        raise InputError("ended_at", "sluttdatoen mangler", "the end date is missing")
    parse.not_before(end, as_utc(account.started_at), "ended_at")
    if account.ended_at is not None:
        raise ConflictError(
            "ended_at", "kundeforholdet er allerede avsluttet", "the relationship is already ended"
        )
    opened = select(func.min(contracts.c.signed_at)).where(
        contracts.c.account_id == account_id, contracts.c.ended_at.is_(None)
    )
    first = conn.execute(opened).scalar()
    if first is not None:
        parse.not_before(end, as_utc(first), "ended_at")
    conn.execute(
        update(contracts)
        .where(contracts.c.account_id == account_id, contracts.c.ended_at.is_(None))
        .values(ended_at=end)
    )
    conn.execute(
        update(customer_accounts).where(customer_accounts.c.id == account_id).values(ended_at=end)
    )
    people = _people_of(conn, account_id)
    ended = [p for p in people if not has_live_role(conn, p)]
    if ended:
        conn.execute(
            update(persons)
            .where(persons.c.id.in_(ended), persons.c.relationship_ended_at.is_(None))
            .values(relationship_ended_at=end)
        )
    note(
        conn,
        actor,
        "customer.ended",
        f"account:{account_id}",
        RELATIONSHIP,
        at=end.isoformat(),
        persons=len(ended),
    )
    return end


def _people_of(conn: Connection, account_id: int) -> set[int]:
    found = {
        int(p)
        for table in (panel_users, alarm_contacts)
        for p in conn.execute(
            select(table.c.person_id).where(
                table.c.account_id == account_id, table.c.person_id.is_not(None)
            )
        ).scalars()
    }
    holder = conn.execute(
        select(customer_accounts.c.holder_person_id).where(customer_accounts.c.id == account_id)
    ).scalar()
    return found | ({int(holder)} if holder is not None else set())


def has_live_role(conn: Connection, person_id: int) -> bool:
    """The person holds an open account, or is a user or contact on one, not removed."""
    open_account = customer_accounts.c.ended_at.is_(None)
    holds = exists().where(customer_accounts.c.holder_person_id == person_id, open_account)
    roles = [
        exists().where(
            table.c.person_id == person_id,
            table.c.removed_at.is_(None),
            customer_accounts.c.id == table.c.account_id,
            open_account,
        )
        for table in (panel_users, alarm_contacts)
    ]
    return bool(conn.execute(select(holds | roles[0] | roles[1])).scalar())


def end_person_if_done(conn: Connection, person_id: int | None, at: datetime) -> None:
    """After a removal: a person with no live role left gets ``at`` as their end date."""
    if person_id is not None and not has_live_role(conn, person_id):
        conn.execute(
            update(persons)
            .where(and_(persons.c.id == person_id, persons.c.relationship_ended_at.is_(None)))
            .values(relationship_ended_at=at)
        )


def register_lead(
    conn: Connection,
    *,
    actor: str,
    person: PersonIn,
    kind: str = "contact_form",
    message: str | None = None,
    address: str | None = None,
    received_at: datetime | str | None = None,
) -> int:
    """A lead (someone who asked about a product): a new person and the lead; its id."""
    if kind not in LEAD_KINDS:
        raise InputError(
            "kind", f"må være en av {', '.join(LEAD_KINDS)}", f"must be one of {LEAD_KINDS}"
        )
    values = person_values(person)
    parse.reachable(values["phone"], values["email"])
    received = parse.moment(received_at, "received_at") or datetime.now(UTC)
    person_id = new_person(conn, **values, last_contact_at=received)
    lead = insert(
        conn,
        leads,
        person_id=person_id,
        kind=kind,
        message=parse.optional(message),
        address=parse.optional(address),
        received_at=received,
        last_contact_at=received,
    )
    note(conn, actor, "lead.registered", f"person:{person_id}", "sales", lead=lead)
    return lead


def convert_lead(
    conn: Connection, *, actor: str, lead_id: int, customer_no: str | None, kind: str = "private"
) -> Registered:
    """Turn a lead into a customer: its person becomes the account's holder."""
    lead = row(conn, leads, lead_id, "lead_id")
    if lead.became_account_id is not None:
        raise ConflictError(
            "lead_id", "leaden er allerede blitt kunde", "the lead is already a customer"
        )
    made = register_customer(
        conn,
        actor=actor,
        customer_no=customer_no,
        holder=PersonIn(name="-"),
        kind=kind,
        holder_person_id=int(lead.person_id),
    )
    conn.execute(
        update(leads).where(leads.c.id == lead_id).values(became_account_id=made.account_id)
    )
    note(
        conn,
        actor,
        "lead.converted",
        f"person:{made.person_id}",
        RELATIONSHIP,
        lead=lead_id,
        account=made.account_id,
    )
    return made
