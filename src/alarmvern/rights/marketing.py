"""Who may receive direct marketing: consent given and not withdrawn, not restricted, and
neither their e-mail address nor their phone number on the suppression list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, select

from alarmvern.rights.objection import is_suppressed
from alarmvern.rights.restriction import unrestricted
from alarmvern.rights.scope import normalise
from alarmvern.store.tables import consents, persons
from alarmvern.vault import Vault


@dataclass(frozen=True)
class Recipient:
    person_id: int
    email: str | None
    phone: str | None


def audience(conn: Connection, vault: Vault, activity: str = "marketing") -> Iterator[Recipient]:
    query = (
        select(persons.c.id, persons.c.email, persons.c.phone)
        .join(consents, consents.c.person_id == persons.c.id)
        .where(
            consents.c.activity == activity,
            consents.c.withdrawn_at.is_(None),
            unrestricted(persons.c.id),
        )
        .distinct()
        .order_by(persons.c.id)
    )
    for row in conn.execute(query):
        email = row.email if _reachable(conn, vault, row.email) else None
        phone = row.phone if _reachable(conn, vault, row.phone) else None
        if email or phone:
            yield Recipient(int(row.id), email, phone)


def _reachable(conn: Connection, vault: Vault, identifier: str | None) -> bool:
    return bool(identifier) and not is_suppressed(conn, vault, normalise(identifier or ""))
