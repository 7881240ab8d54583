"""What customer service sees of one customer: the account, its holder, its sites with their
panel users and alarm contacts (those not removed), and whether the holder can log in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from alarmvern.customers import logins
from alarmvern.customers._rows import row
from alarmvern.store.tables import alarm_contacts, customer_accounts, panel_users, persons, sites


@dataclass(frozen=True)
class Overview:
    account: Any
    holder: Any
    sites: list[Any]
    users: list[Any]  # panel_users rows with the person's ``name``
    contacts: list[Any]  # alarm_contacts rows with the person's name, phone and e-mail
    login: str  # the holder's login: none | invited | active | disabled


def overview(conn: Connection, account_id: int) -> Overview:
    """The customer ``account_id``; an error naming ``account_id`` if there is none."""
    account = row(conn, customer_accounts, account_id, "account_id")
    holder = conn.execute(select(persons).where(persons.c.id == account.holder_person_id)).first()
    found = conn.execute(
        select(sites).where(sites.c.account_id == account_id).order_by(sites.c.id)
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
    state = logins.state(conn, account.holder_person_id)
    return Overview(account, holder, list(found), list(users), list(contacts), state)
