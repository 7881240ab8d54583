"""What an operator may see, and only while handling an alarm (purpose limitation).

An operator sees a site's alarm contacts, verification media and presence while assigned to
an incident there that is open, or closed less than the policy's ``operator_grace`` ago (to
finish the report). Each view is audited with the incident as its purpose; a refusal is
audited in a transaction of its own, so it is kept although the caller fails. On-demand
images belong to the customer and are never shown to operators; restricted people (art. 18)
are left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, TypeVar

from sqlalchemy import Connection, Engine, bindparam, func, or_, select

from alarmvern import audit
from alarmvern.audit.group import append_alone
from alarmvern.errors import AlarmvernError
from alarmvern.intake.customer_media import MediaFile
from alarmvern.intake.presence import presence_activities
from alarmvern.policy.model import Policy
from alarmvern.rights.restriction import unrestricted
from alarmvern.store.engine import reading
from alarmvern.store.tables import (
    alarm_contacts,
    consents,
    incidents,
    media,
    operator_assignments,
    persons,
    presence,
    sites,
)
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault

T = TypeVar("T")


class AccessRefused(AlarmvernError):
    """The operator has no incident that justifies the access; the refusal is audited."""

    http_status = 403


class NotAssigned(AccessRefused):
    """A step on an incident the operator does not hold (never took, or someone else's).

    The rule, in one place: who may record a step on an incident is the operator assigned to
    it. One who never held it is refused (403) whatever its state, so that an outsider learns
    nothing of it, not even that it closed; the operator who held a closed incident is told
    it is closed (409, :class:`~alarmvern.intake.incidents.IncidentClosed`).
    """


def holds_incident(conn: Connection, incident_id: int, operator: str, *, closed: bool) -> bool:
    """Whether ``operator`` holds the incident: an assignment not released while it is open;
    for a closed incident, any assignment (closing releases them all)."""
    query = select(operator_assignments.c.id).where(
        operator_assignments.c.incident_id == incident_id,
        operator_assignments.c.operator == operator,
    )
    if not closed:
        query = query.where(operator_assignments.c.released_at.is_(None))
    return conn.execute(query.limit(1)).first() is not None


def require_holder(conn: Connection, incident_id: int, operator: str, *, closed: bool) -> None:
    """Refuse (:class:`NotAssigned`) a step by an operator who does not hold the incident."""
    if not holds_incident(conn, incident_id, operator, closed=closed):
        raise NotAssigned(
            f"Du har ikke hendelse {incident_id}; ta hendelsen før du registrerer steg. "
            f"Ingenting er endret.",
            f"You do not hold incident {incident_id}; take it before "
            f"recording steps. Nothing was changed.",
        )


def as_holder(engine: Engine, operator: str, incident_id: int, act: Callable[[Connection], T]) -> T:
    """Run ``act`` (a step) in a transaction of its own; a refusal because the operator does
    not hold the incident is audited once the step's transaction is rolled back."""
    try:
        with engine.begin() as conn:
            return act(conn)
    except NotAssigned:
        append_alone(
            engine,
            actor=operator,
            action="operator.refused",
            subject=f"incident:{incident_id}",
            details={"reason": "not assigned"},
        )
        raise


@dataclass(frozen=True)
class Contact:
    person_id: int
    name: str | None
    phone: str | None
    priority: int
    has_keys: bool


@dataclass(frozen=True)
class MediaItem:
    id: int
    incident_id: int
    kind: str
    content_type: str
    size: int
    captured_at: datetime


@dataclass(frozen=True)
class PresenceState:
    person_id: int
    state: str
    recorded_at: datetime


@dataclass(frozen=True)
class SiteView:
    site_id: int
    incident_id: int  # the incident that justifies the view (its purpose)
    contacts: list[Contact] = field(default_factory=list)
    media: list[MediaItem] = field(default_factory=list)
    presence: list[PresenceState] = field(default_factory=list)
    withheld: int = 0  # current contacts left out because their data is restricted (art. 18)


# The statements the incident page runs on every view, built once: building a statement
# and its cache key costs more than running it, and the page runs a dozen.
_JUSTIFYING = (
    select(incidents.c.id, incidents.c.closed_at)
    .join(operator_assignments, operator_assignments.c.incident_id == incidents.c.id)
    .where(
        operator_assignments.c.operator == bindparam("operator"),
        operator_assignments.c.assigned_at <= bindparam("now"),
        incidents.c.site_id == bindparam("site_id"),
        or_(incidents.c.closed_at.is_(None), incidents.c.closed_at > bindparam("earliest")),
    )
    .order_by(incidents.c.closed_at.is_(None).desc(), incidents.c.opened_at.desc())
)


def justifying(
    conn: Connection, policy: Policy, operator: str, site_id: int, now: datetime
) -> list[int]:
    """The incidents at the site that justify the operator's access, open ones first."""
    grace = policy.operations.operator_grace
    earliest = now - timedelta(days=math.ceil(grace.approx_days()) + 2)
    rows = conn.execute(
        _JUSTIFYING, {"operator": operator, "now": now, "site_id": site_id, "earliest": earliest}
    ).all()
    ids = [
        int(r.id)
        for r in rows
        if r.closed_at is None or grace.after(as_utc(r.closed_at)) > now  # within the grace
    ]
    return list(dict.fromkeys(ids))  # once each, in order


def allowed(
    conn: Connection, policy: Policy, operator: str, site_id: int, now: datetime
) -> int | None:
    """The incident that justifies the operator's access to the site now, or None."""
    found = justifying(conn, policy, operator, site_id, now)
    return found[0] if found else None


def site_view(
    engine: Engine, policy: Policy, operator: str, site_id: int, now: datetime | None = None
) -> SiteView:
    """What the operator may see of the site while handling its incident; audited.

    It is read from one snapshot without the write lock, and returned once the audit entry
    saying so is committed (with other looks' entries, :mod:`alarmvern.audit.group`).
    """
    now = now or datetime.now(UTC)
    with reading(engine) as conn:
        ids = justifying(conn, policy, operator, site_id, now)
        view = read_view(conn, policy, site_id, ids) if ids else None
    if view is None:
        _refuse(engine, operator, f"site:{site_id}", "no incident", now, policy)
    append_alone(
        engine,
        actor=operator,
        action="operator.view",
        subject=f"site:{site_id}",
        purpose=f"incident:{view.incident_id}",
        details={
            "contacts": len(view.contacts),
            "media": len(view.media),
            "presence": len(view.presence),
            "withheld_restricted": view.withheld,
        },
        at=now,
    )
    return view


def media_content(
    engine: Engine,
    vault: Vault,
    policy: Policy,
    operator: str,
    media_id: int,
    now: datetime | None = None,
) -> MediaFile:
    """An image or video of an incident the operator handles; never an on-demand image."""
    now = now or datetime.now(UTC)
    subject = f"media:{media_id}"
    with engine.begin() as conn:
        row = conn.execute(
            select(media, incidents.c.site_id.label("incident_site"))
            .outerjoin(incidents, incidents.c.id == media.c.incident_id)
            .where(media.c.id == media_id)
        ).first()
        reason = _media_refusal(conn, policy, operator, row, now)
        if row is not None and reason is None:
            data = vault.get_blob(conn, f"account:{row.account_id}", "media", row.blob_id)
            audit.append(
                conn,
                actor=operator,
                action="operator.view",
                subject=subject,
                purpose=f"incident:{row.incident_id}",
                details={"media": 1, "size": len(data)},
                at=now,
            )
            return MediaFile(data, row.content_type)
    _refuse(engine, operator, subject, reason or "unknown media", now, policy)


def _media_refusal(
    conn: Connection, policy: Policy, operator: str, row: Any, now: datetime
) -> str | None:
    if row is None:
        return "unknown media"
    if row.on_demand:
        return "on-demand media belong to the customer"
    if row.incident_id is None or row.incident_site is None:
        return "media of no incident"
    if int(row.incident_id) not in justifying(conn, policy, operator, row.incident_site, now):
        return "no incident"
    return None


def refuse_incident(engine: Engine, policy: Policy, operator: str, incident_id: int) -> NoReturn:
    """Refuse (audited) an operator the incident's full record: not theirs, or closed
    longer than the grace period ago."""
    _refuse(engine, operator, f"incident:{incident_id}", "not assigned", datetime.now(UTC), policy)


def _refuse(
    engine: Engine, operator: str, subject: str, reason: str, now: datetime, policy: Policy
) -> NoReturn:
    append_alone(
        engine,
        actor=operator,
        action="operator.refused",
        subject=subject,
        details={"reason": reason},
        at=now,
    )
    grace = policy.operations.operator_grace
    raise AccessRefused(
        f"Ingen tilgang til {subject}: du er ikke tildelt en åpen hendelse der (eller en som "
        f"ble lukket for under {grace.words('nb')} siden)",
        f"access to {subject} refused "
        f"({reason}): you are not assigned to an open incident there, or one closed less than "
        f"{grace.words('en')} ago. The refusal is logged.",
    )


def read_view(
    conn: Connection, policy: Policy, site_id: int, ids: list[int], account_id: int | None = None
) -> SiteView:
    """What the operator sees of the site, justified by the incidents ``ids`` (the first is
    the purpose); ``account_id``: the site's account, when the caller has it already."""
    if account_id is None:
        account_id = conn.execute(_SITE_ACCOUNT, {"site_id": site_id}).scalar()
    contacts, withheld = _contacts(conn, site_id)
    return SiteView(
        site_id=site_id,
        incident_id=ids[0],
        contacts=contacts,
        media=_media(conn, ids),
        presence=[] if account_id is None else _presence(conn, policy, int(account_id)),
        withheld=withheld,
    )


_SITE_ACCOUNT = select(sites.c.account_id).where(sites.c.id == bindparam("site_id"))
# Every current contact of the site, restricted or not: those restricted are left out and
# counted (one query for both).
_CONTACTS = (
    select(
        alarm_contacts.c.person_id,
        alarm_contacts.c.priority,
        alarm_contacts.c.has_keys,
        persons.c.name,
        persons.c.phone,
        unrestricted(alarm_contacts.c.person_id).label("free"),
    )
    .join(persons, persons.c.id == alarm_contacts.c.person_id)
    .where(alarm_contacts.c.site_id == bindparam("site_id"), alarm_contacts.c.removed_at.is_(None))
    .order_by(alarm_contacts.c.priority, alarm_contacts.c.id)
)


def _contacts(conn: Connection, site_id: int) -> tuple[list[Contact], int]:
    """The site's contacts in call order, and how many were left out as restricted."""
    rows = conn.execute(_CONTACTS, {"site_id": site_id}).all()
    shown = [
        Contact(int(r.person_id), r.name, r.phone, int(r.priority), bool(r.has_keys))
        for r in rows
        if r.free
    ]
    return shown, len(rows) - len(shown)


_MEDIA = (
    select(media)
    .where(media.c.incident_id.in_(bindparam("ids", expanding=True)), media.c.on_demand.is_(False))
    .order_by(media.c.captured_at, media.c.id)
)


def _media(conn: Connection, ids: list[int]) -> list[MediaItem]:
    rows = conn.execute(_MEDIA, {"ids": ids})
    return [
        MediaItem(
            int(r.id),
            int(r.incident_id),
            r.kind,
            r.content_type,
            int(r.size),
            as_utc(r.captured_at),
        )
        for r in rows
    ]


# The last one received (the highest id), not the latest a device claims: a device's clock
# may be wrong, and a claimed future time must not hide what came after it.
_LATEST = (
    select(presence.c.person_id, func.max(presence.c.id).label("last"))
    .where(presence.c.account_id == bindparam("account_id"))
    .group_by(presence.c.person_id)
    .subquery()
)
_PRESENCE = (
    select(presence.c.person_id, presence.c.state, presence.c.recorded_at)
    .join(
        _LATEST, (_LATEST.c.person_id == presence.c.person_id) & (_LATEST.c.last == presence.c.id)
    )
    .where(
        presence.c.account_id == bindparam("account_id"),
        presence.c.person_id.in_(
            select(consents.c.person_id).where(
                consents.c.activity.in_(bindparam("activities", expanding=True)),
                consents.c.withdrawn_at.is_(None),
            )
        ),
        unrestricted(presence.c.person_id),
    )
    .order_by(presence.c.person_id, presence.c.id.desc())
)


def _presence(conn: Connection, policy: Policy, account_id: int) -> list[PresenceState]:
    """The latest state of each person of the account whose location consent holds."""
    activities = presence_activities(policy)
    if not activities:
        return []
    rows = conn.execute(_PRESENCE, {"account_id": account_id, "activities": activities})
    found: dict[int, PresenceState] = {}
    for r in rows:
        found.setdefault(
            int(r.person_id), PresenceState(int(r.person_id), r.state, as_utc(r.recorded_at))
        )
    return list(found.values())
