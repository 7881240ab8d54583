"""The steps an operator records on an incident they hold: taking it, calling the alarm
contacts, dispatching a guard, notifying the police, the action plan's steps, closing it;
and the sites' action plans, set by customer service.

Each step is the same call as the console's (:mod:`alarmvern.intake.incidents`,
:mod:`alarmvern.intake.action_plans`), which checks that the operator holds the incident;
a refusal is audited by :func:`alarmvern.intake.operators.as_holder`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from alarmvern.intake import action_plans, operators
from alarmvern.intake import incidents as lifecycle
from alarmvern.store.engine import reading
from alarmvern.store.tables import incidents, sites
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
from alarmvern.web.deps import Operator, Service, SystemDep
from alarmvern.web.security import Principal

router = APIRouter(tags=["incidents"], responses=ERRORS)
PlanKind = Literal["fire", "panic", "medical", "burglary", "other", "technical"]


def _step(
    system: System, who: Principal, incident_id: PathId, act: Callable[[Connection], Any]
) -> IncidentOut:
    """Record a step as the operator holding the incident; the incident as it stands after."""

    def run(conn: Connection) -> IncidentOut:
        act(conn)
        return incident_out(conn, require_row(conn, incidents, incident_id, "incident"))

    return operators.as_holder(system.engine, who.actor, incident_id, run)


@router.post("/incidents/{incident_id}/assign", response_model=IncidentOut)
def assign(system: SystemDep, who: Operator, incident_id: PathId) -> IncidentOut:
    """Ta hendelsen / take the incident (assign yourself)."""
    with system.engine.begin() as conn:
        lifecycle.assign(conn, incident_id, who.actor)
        return incident_out(conn, require_row(conn, incidents, incident_id, "incident"))


@router.post("/incidents/{incident_id}/contact-called", response_model=IncidentOut)
def contact_called(
    system: SystemDep, who: Operator, incident_id: PathId, body: ContactCalledIn
) -> IncidentOut:
    """Registrer en samtale med en alarmkontakt / record a call to an alarm contact."""
    return _step(
        system,
        who,
        incident_id,
        lambda conn: lifecycle.contact_called(
            conn, incident_id, body.person_id, body.outcome, who.actor
        ),
    )


@router.post("/incidents/{incident_id}/guard-dispatched", response_model=IncidentOut)
def guard_dispatched(
    system: SystemDep, who: Operator, incident_id: PathId, body: GuardIn
) -> IncidentOut:
    """Vekter sendt / a guard dispatched."""
    return _step(
        system,
        who,
        incident_id,
        lambda conn: lifecycle.guard_dispatched(conn, incident_id, who.actor, body.company),
    )


@router.post("/incidents/{incident_id}/police-notified", response_model=IncidentOut)
def police_notified(
    system: SystemDep, who: Operator, incident_id: PathId, body: PoliceIn
) -> IncidentOut:
    """Politiet varslet / police notified, with their case number; optionally hold the media."""
    policy = system.policy.policy

    def act(conn: Connection) -> None:
        lifecycle.police_notified(
            conn, incident_id, who.actor, body.case_no, policy, body.hold_media_until
        )

    return _step(system, who, incident_id, act)


@router.post("/incidents/{incident_id}/plan-steps/{number}", response_model=IncidentOut)
def plan_step(
    system: SystemDep,
    who: Operator,
    incident_id: PathId,
    number: Annotated[int, Path(ge=1, le=action_plans.MAX_STEPS)],
) -> IncidentOut:
    """Instrukssteg utført / a step of the site's action plan done (once each, now)."""
    return _step(
        system,
        who,
        incident_id,
        lambda conn: action_plans.record_step(conn, incident_id, number, who.actor),
    )


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut)
def close(
    system: SystemDep, who: Operator, incident_id: PathId, body: CloseIncidentIn
) -> IncidentOut:
    """Lukk hendelsen med årsak / close the incident with its cause."""
    return _step(
        system,
        who,
        incident_id,
        lambda conn: lifecycle.close(conn, incident_id, who.actor, body.cause),
    )


class PlanStepIn(BaseModel):
    action: Literal[tuple(action_plans.ACTIONS)]  # type: ignore[valid-type]
    minutes: int | None = Field(None, ge=0, le=action_plans.MAX_MINUTES)
    note: str | None = Field(None, max_length=action_plans.MAX_NOTE)


class PlanIn(BaseModel):
    steps: list[PlanStepIn] = Field(min_length=1, max_length=action_plans.MAX_STEPS)


class PlanStepOut(BaseModel):
    action: str
    minutes: int | None
    note: str | None
    text_nb: str
    text_en: str


class PlanOut(BaseModel):
    site_id: int
    kind: str
    standard: bool = Field(description="The standard plan: the site has none of its own.")
    steps: list[PlanStepOut]
    set_by: str | None
    set_at: datetime | None


def _plan_out(plan: action_plans.Plan) -> PlanOut:
    steps = [
        PlanStepOut(**s.as_json(), text_nb=s.words("nb"), text_en=s.words("en")) for s in plan.steps
    ]
    return PlanOut(
        site_id=plan.site_id, kind=plan.kind, standard=plan.standard, steps=steps,
        set_by=plan.set_by, set_at=plan.set_at,
    )  # fmt: skip


@router.get("/sites/{site_id}/plans", response_model=list[PlanOut], tags=["plans"])
def site_plans(system: SystemDep, who: Service, site_id: PathId) -> list[PlanOut]:
    """Anleggets instrukser / the site's action plans, one per alarm kind (its own or the
    standard one)."""
    with reading(system.engine) as conn:
        require_row(conn, sites, site_id, "site")
        return [_plan_out(p) for p in action_plans.plans_of(conn, site_id)]


@router.put("/sites/{site_id}/plans/{kind}", response_model=PlanOut, tags=["plans"])
def set_plan(
    system: SystemDep, who: Service, site_id: PathId, kind: PlanKind, body: PlanIn
) -> PlanOut:
    """Sett instruksen / set the site's action plan for an alarm kind (audited)."""
    with system.engine.begin() as conn:
        plan = action_plans.set_plan(
            conn,
            site_id=site_id,
            kind=kind,
            steps=[s.model_dump() for s in body.steps],
            actor=who.actor,
        )
    return _plan_out(plan)
