"""Incidents: the operators' queue, an incident with exactly what its purpose allows, its
steps, and the record of who saw what.

An operator sees an incident (and its site's contacts, media and presence) only while
assigned to it, and for the policy's ``operator_grace`` after it closes; a refusal is audited.
The DPO may read the incident and its steps (audited), never the site view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import Connection

from alarmvern.audit import search as audit_search
from alarmvern.intake import incident_view, operators
from alarmvern.intake import queue as incident_queue
from alarmvern.store.engine import reading
from alarmvern.store.tables import incidents
from alarmvern.store.tables.columns import as_utc
from alarmvern.web.api.common import ERRORS, AfterId, Limit, PathId, require_row
from alarmvern.web.api.schemas import (
    AuditEntryOut,
    AuditPage,
    IncidentDetail,
    IncidentOut,
    IncidentPage,
    MediaItemOut,
    PresenceOut,
    SiteViewOut,
    StepOut,
    ViewContactOut,
)
from alarmvern.web.deps import Operator, SystemDep, require
from alarmvern.web.security import Principal, Role

router = APIRouter(tags=["incidents"], responses=ERRORS)
OperatorOrDpo = Annotated[Principal, Depends(require(Role.operator, Role.dpo))]


def incident_out(
    conn: Connection,
    row: Any,
    viewer: Principal | None = None,
    names: list[str] | None = None,
) -> IncidentOut:
    """The incident; for an operator in the queue who is not assigned to it, only what picking
    it up needs (kind, status, times): which customer and site it is follows from the
    assignment, as everything else an operator sees does. ``names``: its operators, when
    the caller has them already."""
    if names is None:
        names = incident_queue.assigned(conn, [row.id])[row.id]
    hidden = viewer is not None and viewer.actor not in names
    return IncidentOut(
        id=row.id,
        account_id=None if hidden else row.account_id,
        site_id=None if hidden else row.site_id,
        kind=row.kind,
        status=row.status,
        opened_at=as_utc(row.opened_at),
        closed_at=None if row.closed_at is None else as_utc(row.closed_at),
        cause=None if hidden else row.cause,
        police_case_no=None if hidden else row.police_case_no,
        operators=names,
    )


@router.get("/incidents", response_model=IncidentPage)
def queue(
    system: SystemDep,
    who: Operator,
    status: Annotated[str, Query(pattern="^(open|closed|all)$")] = "open",
    limit: Limit = 100,
    after: AfterId = None,
) -> IncidentPage:
    """Hendelsene / the incidents, in the order they were received (oldest first), a page at a
    time. The console's queue, worst first, is :func:`alarmvern.intake.queue.read`."""
    with reading(system.engine) as conn:
        rows = incident_queue.in_received_order(conn, status=status, after=after, limit=limit + 1)
        page = rows[:limit]
        names = incident_queue.assigned(conn, [r.id for r in page])
        items = [incident_out(conn, r, who, names[r.id]) for r in page]
    return IncidentPage(items=items, next_after=items[-1].id if len(rows) > limit else None)


def _step_out(r: Any) -> StepOut:
    return StepOut(
        id=r.id,
        step=r.step,
        actor=r.actor,
        at=as_utc(r.at),
        person_id=r.person_id,
        details=dict(r.details or {}),
    )


def _site_view(view: operators.SiteView) -> SiteViewOut:
    return SiteViewOut(
        site_id=view.site_id,
        incident_id=view.incident_id,
        contacts=[ViewContactOut(**c.__dict__) for c in view.contacts],
        media=[MediaItemOut(**m.__dict__) for m in view.media],
        presence=[PresenceOut(**p.__dict__) for p in view.presence],
    )


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def incident(system: SystemDep, who: OperatorOrDpo, incident_id: PathId) -> IncidentDetail:
    """En hendelse / an incident: for its operator with what the purpose allows of the site
    (the same reading as the console's page, :mod:`alarmvern.intake.incident_view`)."""
    policy = system.policy.policy
    if who.role is Role.operator:
        view = incident_view.read(system.engine, policy, who.actor, incident_id)
        if not view.sees:
            operators.refuse_incident(system.engine, policy, who.actor, incident_id)
        with reading(system.engine) as conn:
            row = require_row(conn, incidents, incident_id, "incident")
            out = incident_out(conn, row, names=view.operators)
        return IncidentDetail(
            incident=out,
            steps=[_step_out(r) for r in view.steps],
            site=None if view.site is None else _site_view(view.site),
        )
    row, steps = incident_view.read_as_staff(system.engine, who.actor, incident_id)
    with reading(system.engine) as conn:
        out = incident_out(conn, row)
    return IncidentDetail(incident=out, steps=[_step_out(r) for r in steps], site=None)


@router.get("/incidents/{incident_id}/views", response_model=AuditPage)
def views(
    system: SystemDep,
    who: OperatorOrDpo,
    incident_id: PathId,
    limit: Limit = 200,
    after: AfterId = None,
) -> AuditPage:
    """Hvem så hva / who saw what for this incident: the audit entries naming it."""
    now = datetime.now(UTC)
    policy = system.policy.policy
    with reading(system.engine) as conn:
        row = require_row(conn, incidents, incident_id, "incident")
        sees = row.site_id is not None and incident_id in operators.justifying(
            conn, policy, who.actor, row.site_id, now
        )
    if who.role is Role.operator and not sees:
        operators.refuse_incident(system.engine, policy, who.actor, incident_id)
    with reading(system.engine) as conn:
        found = audit_search.about_incident(conn, incident_id, after=after, limit=limit + 1)
    items = [
        AuditEntryOut(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            purpose=e.purpose,
            details=e.details,
        )
        for e in found[:limit]
    ]
    more = len(found) > limit
    return AuditPage(items=items, next_after=items[-1].seq if more else None)
