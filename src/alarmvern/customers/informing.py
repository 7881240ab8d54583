"""Telling people registered by someone else (GDPR art. 14(3)).

An alarm contact, a panel user who is not the customer, and a course participant signed up
by an employer get a short message (e-mail if we have one, else SMS; bokmål, then English):
who registered them, why, and where the privacy notice is. ``informed_at`` records it. The
time allowed is the policy's ``rights.inform_within`` (one month by default, the longest
art. 14(3)(a) allows); :func:`pending` lists who is not yet told, with that deadline, for
the DPO. :func:`inform_pending` sends outside any write transaction (see ``outbox.send``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, or_, select, update

from alarmvern import audit
from alarmvern.outbox import Outbox, Outgoing, addresses, send
from alarmvern.policy import Policy
from alarmvern.store.tables import (
    alarm_contacts,
    course_participants,
    customer_accounts,
    panel_users,
    persons,
)
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault

ROLES: dict[str, tuple[str, str]] = {
    "alarm_contact": ("alarmkontakt", "alarm contact"),
    "panel_user": ("bruker av alarmanlegget", "user of the alarm system"),
    "course_participant": ("kursdeltaker", "course participant"),
}
ACTIVITY = {
    "alarm_contact": "alarm-monitoring",
    "panel_user": "alarm-monitoring",
    "course_participant": "courses",
}
NOTICE_PATH = "/personvernerklaering"


@dataclass(frozen=True)
class Pending:
    role: str  # alarm_contact | panel_user | course_participant
    row_id: int
    person_id: int
    registered_by: str  # the customer's or employer's name, as the message says it
    registered_at: datetime
    inform_by: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.inform_by


def _members(conn: Connection, table: Table, role: str) -> list[tuple[str, Any]]:
    holder = customer_accounts.c.holder_person_id
    name = persons.alias("holder")
    query = (
        select(
            table.c.id,
            table.c.person_id,
            table.c.created_at,
            customer_accounts.c.org_name,
            name.c.name,
        )
        .join(customer_accounts, customer_accounts.c.id == table.c.account_id)
        .outerjoin(name, name.c.id == holder)
        .where(
            table.c.informed_at.is_(None),
            table.c.removed_at.is_(None),
            table.c.person_id.is_not(None),
            customer_accounts.c.ended_at.is_(None),
            or_(holder.is_(None), table.c.person_id != holder),
        )
    )
    return [(role, r) for r in conn.execute(query)]


def pending(conn: Connection, policy: Policy) -> list[Pending]:
    """Everyone registered by someone else and not yet told, oldest first."""
    within = policy.rights.inform_within
    found = []
    for role, r in [
        *_members(conn, alarm_contacts, "alarm_contact"),
        *_members(conn, panel_users, "panel_user"),
    ]:
        at = as_utc(r.created_at)
        who = r.org_name or r.name or "kunden"
        found.append(Pending(role, int(r.id), int(r.person_id), who, at, within.after(at)))
    courses = conn.execute(
        select(course_participants).where(
            course_participants.c.informed_at.is_(None), course_participants.c.employer.is_not(None)
        )
    )
    for r in courses:
        at = datetime(r.course_date.year, r.course_date.month, r.course_date.day, tzinfo=UTC)
        found.append(
            Pending(
                "course_participant", int(r.id), int(r.person_id), r.employer, at, within.after(at)
            )
        )
    return sorted(found, key=lambda p: p.registered_at)


def message(policy: Policy, item: Pending, to: tuple[str, str], public_url: str) -> Outgoing:
    """The message for ``item`` (pure): who registered them, why, where the notice is."""
    activity = next(a for a in policy.activities if a.id == ACTIVITY[item.role])
    nb_role, en_role = ROLES[item.role]
    company = policy.controller.name
    link = public_url.rstrip("/") + NOTICE_PATH
    body = (
        f"{item.registered_by} har registrert deg som {nb_role} hos {company}. "
        f"Formål: {activity.purpose.nb} Les hvordan vi behandler opplysningene dine, og "
        f"hvilke rettigheter du har: {link}\n\n"
        f"{item.registered_by} has registered you as {en_role} with {company}. "
        f"Purpose: {activity.purpose.en} How we process your data, and your rights: {link}?lang=en"
    )
    subject = f"Du er registrert hos {company} / You are registered with {company}"
    return Outgoing(channel=to[0], to=to[1], subject=subject, body=body)


TABLES = {
    "alarm_contact": alarm_contacts,
    "panel_user": panel_users,
    "course_participant": course_participants,
}


def inform_pending(
    engine: Engine, vault: Vault, policy: Policy, outbox: Outbox, *, actor: str = "system"
) -> int:
    """Send every pending message; how many were sent. Those with no address stay pending."""
    with engine.connect() as conn:
        items = pending(conn, policy)
        reach = addresses(conn, (i.person_id for i in items))
    sent = 0
    for item in items:
        to = reach.get(item.person_id)
        if to is None:
            continue
        template = f"registered.{item.role}"
        if not send(
            engine,
            vault,
            outbox,
            message(policy, item, to, outbox.public_url),
            template=template,
            person_id=item.person_id,
        ):
            continue
        table = TABLES[item.role]
        with engine.begin() as conn:
            conn.execute(
                update(table).where(table.c.id == item.row_id).values(informed_at=datetime.now(UTC))
            )
            audit.append(
                conn,
                actor=actor,
                action="person.informed",
                subject=f"person:{item.person_id}",
                purpose=ACTIVITY[item.role],
                details={"role": item.role, "channel": to[0]},
            )
        sent += 1
    return sent
