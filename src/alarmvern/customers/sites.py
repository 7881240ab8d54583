"""Sites (address, supervision, panel account and key), their panel users and alarm contacts.

A panel user's code is kept only as an argon2 hash. Removing a user or a contact sets the
removal date, which their retention then runs from (``store/tables/people.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Connection, Table, bindparam, func, select, update

from alarmvern.customers import parse
from alarmvern.customers._rows import (
    MONITORING,
    changed,
    ended,
    insert,
    new_person,
    note,
    open_account,
    row,
)
from alarmvern.customers.accounts import PersonIn, end_person_if_done, person_values
from alarmvern.customers.errors import ConflictError, InputError, MissingError
from alarmvern.intake import keys
from alarmvern.store.tables import alarm_contacts, customer_accounts, panel_users, persons, sites
from alarmvern.vault import Vault

_codes = PasswordHasher()
DAY = 86400


# Statements built once (an import runs each thousands of times; see ``_rows``).
_PANEL_TAKEN = select(sites.c.id).where(
    sites.c.panel_account == bindparam("panel"), sites.c.id != bindparam("site")
)
_USER_NO_TAKEN = select(panel_users.c.id).where(
    panel_users.c.site_id == bindparam("site"),
    panel_users.c.user_no == bindparam("number"),
    panel_users.c.removed_at.is_(None),
)
_SITE_OPEN = (
    select(sites.c.id, sites.c.account_id, customer_accounts.c.ended_at)
    .join(customer_accounts, customer_accounts.c.id == sites.c.account_id)
    .where(sites.c.id == bindparam("site"))
)
_LAST_PRIORITY = select(func.max(alarm_contacts.c.priority)).where(
    alarm_contacts.c.site_id == bindparam("site"), alarm_contacts.c.removed_at.is_(None)
)


def _panel_account(conn: Connection, value: str | None, site_id: int | None = None) -> str | None:
    found = parse.optional(value)
    if found is None:
        return None
    found = found.upper()
    if len(found) > 16 or not found.isalnum():
        raise InputError("panel_account", "1–16 bokstaver eller sifre", "1–16 letters or digits")
    # Stored upper case (as written here and as the protocol gives them): an indexed equality,
    # not upper() over every row, which made a 10,000-row import quadratic.
    if conn.execute(_PANEL_TAKEN, {"panel": found, "site": site_id or 0}).first() is not None:
        raise ConflictError(
            "panel_account", "panelkontoen er allerede i bruk", "the panel account is in use"
        )
    return found


def _site_values(
    street: str | None, postcode: str | None, supervision: int | str | None
) -> dict[str, Any]:
    code = parse.required(postcode, "postcode", "postnummeret", "the postcode")
    if not (len(code) == 4 and code.isdigit()):
        raise InputError("postcode", "postnummeret må ha 4 sifre", "the postcode needs 4 digits")
    return {
        "street": parse.required(street, "street", "adressen", "the address"),
        "postcode": code,
        "supervision_seconds": parse.number(supervision, "supervision_seconds", 60, 7 * DAY),
    }


def add_site(
    conn: Connection,
    vault: Vault,
    *,
    actor: str,
    account_id: int,
    street: str | None,
    postcode: str | None,
    city: str | None = None,
    municipality: str | None = None,
    panel_type: str | None = None,
    panel_account: str | None = None,
    panel_key: str | None = None,
    panel_key_form: keys.Form = "hex",
    supervision_seconds: int | str | None = None,
) -> int:
    """A site on an open account; its id. The panel's AES key, if given, goes to the vault."""
    open_account(conn, account_id)
    values = _site_values(street, postcode, supervision_seconds)
    panel = _panel_account(conn, panel_account)
    if panel_key and panel is None:
        raise InputError(
            "panel_account", "en panelnøkkel trenger en panelkonto", "a panel key needs an account"
        )
    site = insert(
        conn,
        sites,
        account_id=account_id,
        city=parse.optional(city),
        municipality=parse.optional(municipality),
        panel_type=parse.optional(panel_type),
        panel_account=panel,
        **values,
    )
    if panel_key and panel is not None:
        _set_key(conn, vault, panel, panel_key, panel_key_form)
    note(
        conn,
        actor,
        "site.added",
        f"account:{account_id}",
        MONITORING,
        site=site,
        panel_key=bool(panel_key),
    )
    return site


def _set_key(conn: Connection, vault: Vault, panel: str, key: str, form: keys.Form) -> None:
    try:
        keys.set_key(conn, vault, panel, key.strip(), form)
    except Exception:  # the key's own error names the panel; the field is what a user needs
        raise InputError(
            "panel_key", f"ikke en gyldig AES-nøkkel ({form})", f"not a valid AES key ({form})"
        ) from None


def change_site(
    conn: Connection,
    vault: Vault,
    *,
    actor: str,
    site_id: int,
    street: str | None,
    postcode: str | None,
    city: str | None = None,
    panel_account: str | None = None,
    panel_key: str | None = None,
    panel_key_form: keys.Form = "hex",
    supervision_seconds: int | str | None = None,
) -> list[str]:
    """Change a site's address, supervision interval, panel account or key; what changed."""
    before = row(conn, sites, site_id, "site_id")
    values = _site_values(street, postcode, supervision_seconds)
    values |= {
        "city": parse.optional(city),
        "panel_account": _panel_account(conn, panel_account, site_id),
    }
    values = changed(before, values)
    if values:
        conn.execute(update(sites).where(sites.c.id == site_id).values(**values))
    panel = values.get("panel_account", before.panel_account)
    if panel_key and panel:
        _set_key(conn, vault, panel, panel_key, panel_key_form)
    fields = sorted(values) + (["panel_key"] if panel_key else [])
    if fields:
        note(
            conn,
            actor,
            "site.changed",
            f"account:{before.account_id}",
            MONITORING,
            site=site_id,
            fields=fields,
        )
    return fields


def _site(conn: Connection, site_id: int) -> Any:
    """The site ``site_id`` (its id and account), on an account not ended: one query."""
    found = conn.execute(_SITE_OPEN, {"site": site_id}).first()
    if found is None:
        return row(conn, sites, site_id, "site_id")  # raises: there is no such site
    if found.ended_at is not None:
        raise ended()
    return found


def _person_for(conn: Connection, person_id: int | None, given: PersonIn, prefix: str) -> int:
    if person_id is not None:
        return int(row(conn, persons, person_id, "person_id").id)
    return new_person(conn, **person_values(given, prefix))


def add_panel_user(
    conn: Connection,
    *,
    actor: str,
    site_id: int,
    user_no: int | str | None,
    person: PersonIn | None = None,
    person_id: int | None = None,
    code: str | None = None,
) -> int:
    """A user of the site's panel (user number unique among the site's users); its id.
    ``person_id`` names someone already registered (the holder, say); else a new person."""
    site = _site(conn, site_id)
    number = parse.number(user_no, "user_no", 0, 9999)
    if number is None:
        raise InputError("user_no", "brukernummeret mangler", "the user number is missing")
    if conn.execute(_USER_NO_TAKEN, {"site": site_id, "number": number}).first() is not None:
        raise ConflictError("user_no", "brukernummeret er i bruk", "the user number is in use")
    if code is not None and not (4 <= len(code.strip()) <= 12 and code.strip().isdigit()):
        raise InputError("code", "koden må være 4–12 sifre", "the code must be 4–12 digits")
    who = _person_for(conn, person_id, person or PersonIn(name=None), "")
    name = person.name.strip() if person and person.name else None
    user = insert(
        conn,
        panel_users,
        account_id=site.account_id,
        site_id=site_id,
        person_id=who,
        user_no=number,
        display_name=name or f"Bruker {number}",
        code_hash=_codes.hash(code.strip()) if code else None,
    )
    note(
        conn,
        actor,
        "panel_user.added",
        f"person:{who}",
        MONITORING,
        site=site_id,
        panel_user=user,
        code=code is not None,
    )
    return user


def remove_panel_user(
    conn: Connection,
    *,
    actor: str,
    panel_user_id: int,
    at: datetime | str | None = None,
    site_id: int | None = None,
) -> Removed:
    """Remove a panel user on ``at`` (default now): their retention runs from it.
    ``site_id``, if given, is the site the user must belong to."""
    return _remove(conn, panel_users, "panel_user", panel_user_id, actor, at, site_id)


def remove_contact(
    conn: Connection,
    *,
    actor: str,
    contact_id: int,
    at: datetime | str | None = None,
    site_id: int | None = None,
) -> Removed:
    """Remove an alarm contact on ``at`` (default now): their retention runs from it.
    ``site_id``, if given, is the site the contact must belong to."""
    return _remove(conn, alarm_contacts, "contact", contact_id, actor, at, site_id)


@dataclass(frozen=True)
class Removed:
    at: datetime
    account_id: int


def _remove(
    conn: Connection,
    table: Table,
    kind: str,
    ident: int,
    actor: str,
    at: datetime | str | None,
    site_id: int | None,
) -> Removed:
    """The one removal of a site's person (a panel user or a contact): the removal date is
    set, the person's relationship ends if they have no live role left, and it is audited."""
    field = f"{kind}_id"
    found = row(conn, table, ident, field)
    if site_id is not None and int(found.site_id) != site_id:
        raise MissingError(
            field, f"finnes ikke på anlegget ({ident})", f"not at the site ({ident})"
        )
    if found.removed_at is not None:  # gone as a user or contact: the API's DELETE says 404
        raise MissingError(field, "er allerede fjernet", "is already removed")
    when = parse.moment(at, "removed_at") or datetime.now(UTC)
    conn.execute(update(table).where(table.c.id == ident).values(removed_at=when))
    end_person_if_done(conn, found.person_id, when)
    note(
        conn,
        actor,
        f"{kind}.removed",
        f"person:{found.person_id}",
        MONITORING,
        site=int(found.site_id),
        account=int(found.account_id),
        **{kind: ident},
    )
    return Removed(when, int(found.account_id))


def account_of_site(conn: Connection, site_id: int) -> int:
    """The account a site belongs to."""
    return int(row(conn, sites, site_id, "site_id").account_id)


def add_contact(
    conn: Connection,
    *,
    actor: str,
    site_id: int,
    person: PersonIn | None = None,
    person_id: int | None = None,
    priority: int | str | None = None,
    has_keys: bool = False,
) -> int:
    """An alarm contact at the site, in call order ``priority`` (default: last); its id.
    A new contact must be reachable: a phone number or an e-mail address."""
    site = _site(conn, site_id)
    order = parse.number(priority, "priority", 1, 99)
    if person_id is None:
        values = person_values(person or PersonIn(name=None))
        parse.reachable(values["phone"], values["email"])
        who = new_person(conn, **values)
    else:
        who = _person_for(conn, person_id, PersonIn(name=None), "")
    if order is None:
        order = int(conn.execute(_LAST_PRIORITY, {"site": site_id}).scalar() or 0) + 1
    contact = insert(
        conn,
        alarm_contacts,
        account_id=site.account_id,
        site_id=site_id,
        person_id=who,
        priority=order,
        has_keys=bool(has_keys),
    )
    note(
        conn,
        actor,
        "contact.added",
        f"person:{who}",
        MONITORING,
        site=site_id,
        account=int(site.account_id),
        contact=contact,
    )
    return contact


def change_contact(
    conn: Connection, *, actor: str, contact_id: int, priority: int | str | None, has_keys: bool
) -> list[str]:
    """Change a contact's place in the call order and whether they have keys."""
    before = row(conn, alarm_contacts, contact_id, "contact_id")
    order = parse.number(priority, "priority", 1, 99) or before.priority
    values = changed(before, {"priority": order, "has_keys": bool(has_keys)})
    if values:
        conn.execute(
            update(alarm_contacts).where(alarm_contacts.c.id == contact_id).values(**values)
        )
        note(
            conn,
            actor,
            "contact.changed",
            f"person:{before.person_id}",
            MONITORING,
            contact=contact_id,
            fields=sorted(values),
        )
    return sorted(values)
