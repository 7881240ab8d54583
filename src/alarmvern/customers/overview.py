"""What is on file for a customer, read: the account, its holder, its sites with their panel
users and alarm contacts (those not removed, contacts in call order), and whether the holder
can log in; the accounts a person holds. One home for customer service's page, Mine Sider
and the API's account and site reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

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
    users = conn.execute(
        _USERS.where(panel_users.c.account_id == account_id).order_by(panel_users.c.user_no)
    ).all()
    contacts = conn.execute(_CONTACTS.where(alarm_contacts.c.account_id == account_id)).all()
    state = logins.state(conn, account.holder_person_id)
    return Overview(account, holder, sites_of(conn, account_id), list(users), list(contacts), state)


_USERS = (
    select(panel_users, persons.c.name)
    .outerjoin(persons, persons.c.id == panel_users.c.person_id)
    .where(panel_users.c.removed_at.is_(None))
)
_CONTACTS = (
    select(alarm_contacts, persons.c.name, persons.c.phone, persons.c.email)
    .join(persons, persons.c.id == alarm_contacts.c.person_id)
    .where(alarm_contacts.c.removed_at.is_(None))
    .order_by(alarm_contacts.c.priority, alarm_contacts.c.id)
)


def sites_of(conn: Connection, account_id: int) -> list[Any]:
    """The account's sites, oldest first."""
    query = select(sites).where(sites.c.account_id == account_id).order_by(sites.c.id)
    return list(conn.execute(query).all())


def site_users(conn: Connection, site_id: int) -> list[Any]:
    """The panel's users (not removed), by user number."""
    query = _USERS.where(panel_users.c.site_id == site_id).order_by(
        panel_users.c.user_no, panel_users.c.id
    )
    return list(conn.execute(query).all())


def site_contacts(conn: Connection, site_id: int) -> list[Any]:
    """The site's alarm contacts (not removed), in call order."""
    return list(conn.execute(_CONTACTS.where(alarm_contacts.c.site_id == site_id)).all())


_HELD = select(customer_accounts.c.id).where(
    customer_accounts.c.holder_person_id == bindparam("person_id")
)  # built once: every Mine Sider page runs it


def accounts_held(conn: Connection, person_id: int) -> list[int]:
    """The accounts the person holds (ended ones too: their history is still theirs)."""
    return [int(i) for i in conn.execute(_HELD, {"person_id": person_id}).scalars()]


def account_exists(conn: Connection, account_id: int) -> bool:
    query = select(customer_accounts.c.id).where(customer_accounts.c.id == account_id)
    return conn.execute(query).first() is not None


def person_names(conn: Connection, person_ids: Iterable[int]) -> dict[int, str]:
    """The names of these people, by id (those with no name, or none left, are not in it)."""
    wanted = select(persons.c.id, persons.c.name).where(persons.c.id.in_(set(person_ids)))
    return {int(i): str(name) for i, name in conn.execute(wanted) if name}
