"""The steps an operator records on an incident they are assigned to: taking it, calling
the alarm contacts, dispatching a guard, notifying the police, closing it with its cause.
Each is the same call as the intake's (:mod:`alarmvern.intake.incidents`), audited there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Connection, select

from alarmvern.intake import incidents as lifecycle
from alarmvern.store.tables import alarm_contacts, incidents, operator_assignments
from alarmvern.system import System
from alarmvern.web.api.alarms_incidents import incident_out
from alarmvern.web.api.common import ERRORS, PathId, require_row
from alarmvern.web.api.schemas import (
    CloseIncidentIn,
    ContactCalledIn,
    GuardIn,
    IncidentOut,
    PoliceIn,
)
from alarmvern.web.deps import Operator, SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.security import Principal

router = APIRouter(tags=["incidents"], responses=ERRORS)


def _step(
    system: System, who: Principal, incident_id: PathId, act: Callable[[Connection, Any], None]
) -> IncidentOut:
    """Record a step as the operator assigned to the incident."""
    with system.engine.begin() as conn:
        row = require_row(conn, incidents, incident_id, "incident")
        assigned = conn.execute(
            select(operator_assignments.c.id).where(
                operator_assignments.c.incident_id == incident_id,
                operator_assignments.c.operator == who.actor,
                operator_assignments.c.released_at.is_(None),
            )
        ).first()
        if assigned is None and row.closed_at is None:
            raise ApiError(
                403,
                "tildel deg hendelsen først / assign yourself to the incident first",
            )
        act(conn, row)
        fresh = require_row(conn, incidents, incident_id, "incident")
        return incident_out(conn, fresh)


@router.post("/incidents/{incident_id}/assign", response_model=IncidentOut)
def assign(system: SystemDep, who: Operator, incident_id: PathId) -> IncidentOut:
    """Ta hendelsen / assign yourself to the incident."""
    with system.engine.begin() as conn:
        require_row(conn, incidents, incident_id, "incident")
        lifecycle.assign(conn, incident_id, who.actor)
        return incident_out(conn, require_row(conn, incidents, incident_id, "incident"))


@router.post("/incidents/{incident_id}/contact-called", response_model=IncidentOut)
def contact_called(
    system: SystemDep, who: Operator, incident_id: PathId, body: ContactCalledIn
) -> IncidentOut:
    """Registrer en samtale med en alarmkontakt / record a call to an alarm contact."""

    def act(conn: Connection, row: Any) -> None:
        known = conn.execute(
            select(alarm_contacts.c.id).where(
                alarm_contacts.c.site_id == row.site_id,
                alarm_contacts.c.person_id == body.person_id,
                alarm_contacts.c.removed_at.is_(None),
            )
        ).first()
        if row.closed_at is None and known is None:
            raise ApiError(
                422,
                "personen er ikke alarmkontakt for anlegget / not an alarm contact of the site",
                field="person_id",
            )
        lifecycle.contact_called(conn, incident_id, body.person_id, body.outcome, who.actor)

    return _step(system, who, incident_id, act)


@router.post("/incidents/{incident_id}/guard-dispatched", response_model=IncidentOut)
def guard_dispatched(
    system: SystemDep, who: Operator, incident_id: PathId, body: GuardIn
) -> IncidentOut:
    """Vekter sendt / a guard dispatched."""
    return _step(
        system,
        who,
        incident_id,
        lambda conn, _row: lifecycle.guard_dispatched(conn, incident_id, who.actor, body.company),
    )


@router.post("/incidents/{incident_id}/police-notified", response_model=IncidentOut)
def police_notified(
    system: SystemDep, who: Operator, incident_id: PathId, body: PoliceIn
) -> IncidentOut:
    """Politiet varslet / police notified, with their case number; optionally hold the media."""
    policy = system.policy.policy

    def act(conn: Connection, _row: Any) -> None:
        lifecycle.police_notified(
            conn, incident_id, who.actor, body.case_no, policy, body.hold_media_until
        )

    return _step(system, who, incident_id, act)


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut)
def close(
    system: SystemDep, who: Operator, incident_id: PathId, body: CloseIncidentIn
) -> IncidentOut:
    """Lukk hendelsen med årsak / close the incident with its cause."""
    return _step(
        system,
        who,
        incident_id,
        lambda conn, _row: lifecycle.close(conn, incident_id, who.actor, body.cause),
    )
