"""An incident's life: received, assigned, contacts called, guard dispatched, police notified,
closed with a cause.

Every step is one row in ``incident_steps`` and one audit entry, in the caller's
transaction, and a change the consoles hear of (:mod:`.changes`). The incident's ``status``
is its latest step. Anyone may take an open incident; every other step is the holder's
alone (:func:`.operators.require_holder`), and a closed incident takes no more steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import Connection, Row, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.intake import changes
from alarmvern.intake.operators import holds_incident, require_holder
from alarmvern.policy.model import Policy
from alarmvern.retention import holds
from alarmvern.store.tables import alarm_contacts, incident_steps, incidents, operator_assignments
from alarmvern.store.tables.columns import as_utc

RECEIVED = "received"
ASSIGNED = "assigned"
CLOSED = "closed"
# What a call to a contact came to: the one list the console's form, the API and the check
# below take their choices from.
CallOutcome = Literal["answered", "no_answer", "busy", "will_come", "not_needed"]
OUTCOMES: tuple[CallOutcome, ...] = get_args(CallOutcome)
INTAKE_ACTOR = "intake"


class IncidentError(AlarmvernError):
    """A step that does not fit the incident as it stands."""


class IncidentClosed(IncidentError):
    """A step on an incident that is already closed."""


class NotAContact(IncidentError):
    """A call recorded to someone who is not an alarm contact of the incident's site."""

    http_status = 422


class IncidentMissing(IncidentError):
    """A step on an incident that does not exist."""

    http_status = 404


def open_incident(
    conn: Connection, *, account_id: int | None, site_id: int | None, kind: str, at: datetime
) -> int:
    """Open an incident (status "received"); return its id."""
    return open_incidents(conn, [Opening(account_id, site_id, kind, at)])[0]


@dataclass(frozen=True)
class Opening:
    """An incident to open: for :func:`open_incidents`."""

    account_id: int | None
    site_id: int | None
    kind: str
    at: datetime


def open_incidents(conn: Connection, wanted: Sequence[Opening]) -> list[int]:
    """Open each of ``wanted`` as :func:`open_incident` does, in a few statements for all
    of them (a power cut opens thousands at once); their ids, in order."""
    if not wanted:
        return []
    rows = [
        {"account_id": o.account_id, "site_id": o.site_id, "kind": o.kind, "status": RECEIVED,
         "opened_at": o.at}
        for o in wanted
    ]  # fmt: skip
    statement = incidents.insert().returning(incidents.c.id, sort_by_parameter_order=True)
    ids = [int(i) for i in conn.execute(statement, rows).scalars()]
    _steps(
        conn,
        [
            _Step(i, o.account_id, RECEIVED, INTAKE_ACTOR, o.at, {"kind": o.kind})
            for i, o in zip(ids, wanted, strict=True)
        ],
    )
    return ids


def open_for_site(conn: Connection, site_id: int) -> int | None:
    """The open incident at the site (the newest alarm before technical ones), or None."""
    technical = incidents.c.kind.startswith("technical")
    found = conn.execute(
        select(incidents.c.id)
        .where(incidents.c.site_id == site_id, incidents.c.closed_at.is_(None))
        .order_by(technical.asc(), incidents.c.opened_at.desc(), incidents.c.id.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def assign(conn: Connection, incident_id: int, operator: str, at: datetime | None = None) -> None:
    """Assign ``operator`` to the incident (status "assigned")."""
    at = at or datetime.now(UTC)
    incident = _open(conn, incident_id, ASSIGNED, holder=None)
    if not holds_incident(conn, incident_id, operator, closed=False):
        conn.execute(
            operator_assignments.insert().values(
                incident_id=incident_id, operator=operator, assigned_at=at
            )
        )
    _advance(conn, incident, ASSIGNED, operator, at, {"operator": operator})


def contact_called(
    conn: Connection,
    incident_id: int,
    person_id: int,
    outcome: str,
    actor: str,
    at: datetime | None = None,
) -> None:
    """Record a call to an alarm contact and how it went."""
    if outcome not in OUTCOMES:
        raise IncidentError(
            f"ukjent utfall {outcome!r}",
            f"unknown call outcome {outcome!r}: choose one of {', '.join(OUTCOMES)}",
        )
    incident = _open(conn, incident_id, "contact_called", holder=actor)
    known = conn.execute(
        select(alarm_contacts.c.id).where(
            alarm_contacts.c.site_id == incident.site_id,
            alarm_contacts.c.person_id == person_id,
            alarm_contacts.c.removed_at.is_(None),
        )
    ).first()
    if known is None:
        raise NotAContact(
            "personen er ikke alarmkontakt for anlegget; ingenting er endret",
            "the person is not an alarm contact of the site; nothing was changed",
        )
    details = {"outcome": outcome}
    _advance(conn, incident, "contact_called", actor, at, details, person_id=person_id)


def guard_dispatched(
    conn: Connection, incident_id: int, actor: str, company: str, at: datetime | None = None
) -> None:
    incident = _open(conn, incident_id, "guard_dispatched", holder=actor)
    _advance(conn, incident, "guard_dispatched", actor, at, {"company": company})


def police_notified(
    conn: Connection,
    incident_id: int,
    actor: str,
    case_no: str,
    policy: Policy,
    hold_media_until: date | None,
    at: datetime | None = None,
) -> holds.Hold | None:
    """Record the police case number; with ``hold_media_until``, hold the incident's media
    (a legal hold on the incident) so that retention keeps them until that day."""
    at = at or datetime.now(UTC)
    if not case_no.strip():
        raise IncidentError("politiet trenger et saksnummer", "a police case number is required")
    incident = _open(conn, incident_id, "police_notified", holder=actor)
    conn.execute(
        update(incidents).where(incidents.c.id == incident_id).values(police_case_no=case_no)
    )
    hold = None
    if hold_media_until is not None:
        hold = holds.place(
            conn,
            policy,
            target="incident",
            target_id=incident_id,
            reason=f"Politisak {case_no}",
            ends_on=hold_media_until,
            placed_by=actor,
            now=at,
        )
    details: dict[str, Any] = {"case_no": case_no, "hold": hold.id if hold else None}
    _advance(conn, incident, "police_notified", actor, at, details)
    return hold


def close(
    conn: Connection, incident_id: int, actor: str, cause: str, at: datetime | None = None
) -> None:
    """Close the incident with its cause and release its operators (the policy's grace
    period for their access runs from now)."""
    at = at or datetime.now(UTC)
    if not cause.strip():
        raise IncidentError("oppgi årsaken", "give the cause when closing an incident")
    incident = _open(conn, incident_id, CLOSED, holder=actor)
    conn.execute(
        update(incidents)
        .where(incidents.c.id == incident_id)
        .values(status=CLOSED, closed_at=at, cause=cause)
    )
    conn.execute(
        update(operator_assignments)
        .where(
            operator_assignments.c.incident_id == incident_id,
            operator_assignments.c.released_at.is_(None),
        )
        .values(released_at=at)
    )
    _step(conn, incident_id, incident.account_id, CLOSED, actor, at, {"cause": cause})


def for_step(conn: Connection, incident_id: int, step: str, holder: str) -> Row[Any]:
    """The incident's row, locked for a step of ``holder``'s; refused as :func:`record` is."""
    return _open(conn, incident_id, step, holder=holder)


def record(
    conn: Connection,
    incident: Row[Any],
    step: str,
    actor: str,
    details: dict[str, Any],
    at: datetime | None = None,
) -> datetime:
    """Record a step that leaves the status as it is (an action plan's, :mod:`.action_plans`)
    on ``incident`` from :func:`for_step`; return its time."""
    at = at or datetime.now(UTC)
    _step(conn, int(incident.id), incident.account_id, step, actor, at, details)
    return at


def _open(conn: Connection, incident_id: int, step: str, *, holder: str | None) -> Row[Any]:
    """The incident's row, locked for the step; refuses a missing incident, a step by an
    operator who does not hold it (``holder``: the one who must), and a closed incident."""
    row = conn.execute(
        select(incidents).where(incidents.c.id == incident_id).with_for_update()
    ).first()
    if row is None:
        raise IncidentMissing(
            f"hendelse {incident_id} finnes ikke", f"incident {incident_id} does not exist"
        )
    closed = row.status == CLOSED or row.closed_at is not None
    if holder is not None:
        require_holder(conn, incident_id, holder, closed=closed)
    if row.status == CLOSED or row.closed_at is not None:
        closed = f"{as_utc(row.closed_at):%Y-%m-%d %H:%M} UTC" if row.closed_at else "?"
        raise IncidentClosed(
            f"Hendelse {incident_id} ble lukket {closed} og tar ikke flere steg. Ingenting er "
            f"endret.",
            f"Incident {incident_id} is closed (since {closed}) and takes no more "
            f"steps. Nothing was changed.",
        )
    return row


def _advance(
    conn: Connection,
    incident: Row[Any],
    step: str,
    actor: str,
    at: datetime | None,
    details: dict[str, Any],
    person_id: int | None = None,
) -> None:
    at = at or datetime.now(UTC)
    conn.execute(update(incidents).where(incidents.c.id == incident.id).values(status=step))
    _step(conn, int(incident.id), incident.account_id, step, actor, at, details, person_id)


@dataclass(frozen=True)
class _Step:
    incident_id: int
    account_id: int | None
    step: str
    actor: str
    at: datetime
    details: dict[str, Any]
    person_id: int | None = None


# What people type into a step (a close cause, a guard company, a police case number) may
# name a person; the audit log is kept for ever and cannot be erased, so it never holds it.
# The step's row holds it (and goes with the incident's retention); the audit entry names
# the row.
FREE_TEXT = frozenset({"cause", "company", "case_no"})


def _step(
    conn: Connection,
    incident_id: int,
    account_id: int | None,
    step: str,
    actor: str,
    at: datetime,
    details: dict[str, Any],
    person_id: int | None = None,
) -> None:
    _steps(conn, [_Step(incident_id, account_id, step, actor, at, details, person_id)])


def _steps(conn: Connection, steps: Sequence[_Step]) -> None:
    """Record ``steps``: each a row in ``incident_steps``, a change heard of, an audit entry
    that names the row (and leaves out what was typed: ``FREE_TEXT``)."""
    keys = conn.execute(
        incident_steps.insert().returning(incident_steps.c.id, sort_by_parameter_order=True),
        [
            {"incident_id": s.incident_id, "account_id": s.account_id, "person_id": s.person_id,
             "step": s.step, "actor": s.actor, "at": s.at, "details": s.details}
            for s in steps
        ],
    ).scalars().all()  # fmt: skip
    changes.notify_many(conn, [s.incident_id for s in steps])
    audit.append_many(
        conn,
        [
            audit.Entry(
                actor=s.actor,
                action=f"incident.{s.step}",
                subject=f"incident:{s.incident_id}",
                details={
                    **{k: v for k, v in s.details.items() if k not in FREE_TEXT},
                    "step": int(key),
                    **({"person": s.person_id} if s.person_id is not None else {}),
                },
                at=s.at,
            )
            for s, key in zip(steps, keys, strict=True)
        ],
    )
