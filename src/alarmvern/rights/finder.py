"""Finding the person a request concerns: candidates for staff to confirm, never a guess.

People are found by what they would give us (name, e-mail, phone, customer number or national
identity number) in every role they may have. People with no account, such as a caller or
someone on a verification image, are found through the material itself: by phone number, or
by site and time window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from alarmvern.rights.scope import normalise
from alarmvern.store.datamap import bindings
from alarmvern.store.tables import (
    call_recordings,
    customer_accounts,
    incidents,
    media,
    metadata,
    persons,
)
from alarmvern.vault import Vault

MAX_CANDIDATES = 20


@dataclass
class Candidate:
    person_id: int
    name: str | None
    email: str | None
    phone: str | None
    matched_on: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Material:
    """A row about someone we cannot name (a caller, a person on an image)."""

    table: str
    row_id: int
    at: datetime
    account_id: int | None


def find(
    conn: Connection,
    vault: Vault,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    customer_no: str | None = None,
    nin: str | None = None,
) -> list[Candidate]:
    """People matching any of the given identifiers, those matching most first."""
    matches: dict[int, list[str]] = {}

    def note(ids: Iterable[Any], how: str) -> None:
        for person_id in ids:
            matches.setdefault(int(person_id), []).append(how)

    if name:
        # autoescape: a % or _ in the name is a letter, not a wildcard that matches everyone
        wanted = name.strip().lower()
        note(_ids(conn, func.lower(persons.c.name).contains(wanted, autoescape=True)), "name")
    if email:
        note(_ids(conn, func.lower(persons.c.email) == normalise(email)), "email")
    if phone:
        wanted = normalise(phone)
        spellings = {wanted, wanted[3:], phone.strip()}
        note(_ids(conn, persons.c.phone.in_(spellings)), "phone")
    if customer_no:
        holders = select(customer_accounts.c.holder_person_id).where(
            customer_accounts.c.customer_no == customer_no.strip()
        )
        note(conn.execute(holders).scalars(), "customer_no")
    if nin:
        digits = "".join(c for c in nin if c.isdigit())
        note(_ids(conn, persons.c.nin_lookup == vault.lookup_hash(conn, digits)), "nin")
    ranked = sorted(matches.items(), key=lambda item: (-len(item[1]), item[0]))
    return [_candidate(conn, pid, how) for pid, how in ranked[:MAX_CANDIDATES]]


def _ids(conn: Connection, where: ColumnElement[bool]) -> list[int]:
    query = select(persons.c.id).where(where).limit(MAX_CANDIDATES)
    return [int(i) for i in conn.execute(query).scalars()]


def _candidate(conn: Connection, person_id: int, matched_on: list[str]) -> Candidate:
    row = conn.execute(
        select(persons.c.name, persons.c.email, persons.c.phone).where(persons.c.id == person_id)
    ).one()
    return Candidate(person_id, row.name, row.email, row.phone, matched_on, roles(conn, person_id))


def roles(conn: Connection, person_id: int) -> list[str]:
    """The tables that name the person as their subject: the roles they have with us."""
    found = []
    for table, binding in bindings(metadata):
        role = ROLE_TABLES.get(table.name)
        if role is None or binding.subject is None or role in found:
            continue
        column = table.c[binding.subject]
        if conn.execute(select(column).where(column == person_id).limit(1)).first():
            found.append(role)
    return found


# The tables whose rows make a person what the policy calls a subject of that kind.
ROLE_TABLES = {
    "customer_accounts": "customer",
    "panel_users": "panel_user",
    "alarm_contacts": "alarm_contact",
    "contracts": "contact_person",
    "leads": "lead",
    "job_applicants": "job_applicant",
    "course_participants": "course_participant",
    "office_visitors": "office_visitor",
    "call_recordings": "caller",
}


def material_by_phone(conn: Connection, phone: str) -> list[Material]:
    """Call recordings from or to a number, for a caller we hold no other data about."""
    wanted = normalise(phone)
    query = select(
        call_recordings.c.id, call_recordings.c.started_at, call_recordings.c.account_id
    ).where(or_(call_recordings.c.phone == wanted, call_recordings.c.phone == phone.strip()))
    return [
        Material("call_recordings", r.id, r.started_at, r.account_id) for r in conn.execute(query)
    ]


def material_at_site(
    conn: Connection, site_id: int, start: datetime, end: datetime
) -> list[Material]:
    """Images and incidents at a site in a time window, for someone who was there."""
    found = [
        Material("media", r.id, r.captured_at, r.account_id)
        for r in conn.execute(
            select(media.c.id, media.c.captured_at, media.c.account_id).where(
                media.c.site_id == site_id,
                media.c.captured_at.between(start, end),
                media.c.on_demand.is_(False),
            )
        )
    ]
    found += [
        Material("incidents", r.id, r.opened_at, r.account_id)
        for r in conn.execute(
            select(incidents.c.id, incidents.c.opened_at, incidents.c.account_id).where(
                incidents.c.site_id == site_id, incidents.c.opened_at.between(start, end)
            )
        )
    ]
    return found
