"""The operator console: the incident queue, and each incident with exactly what handling it
allows (``intake.operators.site_view``: contacts, verification images, presence), its steps,
and the record of who saw what for it.

The queue shows only an incident's kind and the site's municipality; anything more comes
through an assignment, and every look (and every refusal) is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import Connection, Row, exists, func, select

from alarmvern.audit.group import append_alone
from alarmvern.intake import incidents as inc
from alarmvern.intake import operators
from alarmvern.store.engine import reading
from alarmvern.store.tables import (
    alarm_contacts,
    alarm_events,
    audit_log,
    incident_steps,
    incidents,
    operator_assignments,
    sites,
)
from alarmvern.system import System
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages.render import OperatorPage, PageRoute, done, render
from alarmvern.web.security import Principal

router = APIRouter(prefix="/operator", route_class=PageRoute, include_in_schema=False)
QUEUE_LIMIT = 200
RECORD_LIMIT = 200


@router.get("")
def queue(request: Request, who: OperatorPage, system: SystemDep) -> Response:
    """Open incidents, newest first: kind and municipality only."""
    mine = exists().where(
        operator_assignments.c.incident_id == incidents.c.id,
        operator_assignments.c.operator == who.actor,
        operator_assignments.c.released_at.is_(None),
    )
    with reading(system.engine) as conn:
        rows = conn.execute(
            select(
                incidents.c.id,
                incidents.c.kind,
                incidents.c.status,
                incidents.c.opened_at,
                sites.c.municipality,
                mine.label("mine"),
            )
            .outerjoin(sites, sites.c.id == incidents.c.site_id)
            .where(incidents.c.closed_at.is_(None))
            .order_by(incidents.c.opened_at.desc(), incidents.c.id.desc())
            .limit(QUEUE_LIMIT)
        ).all()
    return render(request, "operator/queue.html.j2", rows=rows)


def _incident(conn: Connection, incident_id: int) -> Row[Any]:
    row = conn.execute(
        select(incidents, sites.c.municipality, _area())
        .outerjoin(sites, sites.c.id == incidents.c.site_id)
        .where(incidents.c.id == incident_id)
    ).first()
    if row is None:
        raise ApiError(404, f"hendelse {incident_id} finnes ikke / no incident {incident_id}")
    return row


def _area() -> Any:
    """The area/partition of the first alarm at the site since the incident opened."""
    return (
        select(alarm_events.c.area)
        .where(
            alarm_events.c.site_id == incidents.c.site_id,
            alarm_events.c.occurred_at >= incidents.c.opened_at,
            alarm_events.c.area.is_not(None),
        )
        .order_by(alarm_events.c.occurred_at, alarm_events.c.id)
        .limit(1)
        .scalar_subquery()
        .label("area")
    )


def _refuse(system: System, who: Principal, incident_id: int, reason: str) -> None:
    """Audit a refusal in a transaction of its own (kept although the request fails)."""
    append_alone(
        system.engine,
        actor=who.actor,
        action="operator.refused",
        subject=f"incident:{incident_id}",
        details={"reason": reason},
    )


def _view(
    system: System, who: Principal, incident: Row[Any], justified: list[int]
) -> tuple[operators.SiteView | None, str | None]:
    """What the operator may see of the incident's site, or why not."""
    if incident.site_id is None:
        return None, None
    if justified and incident.id not in justified:
        _refuse(system, who, incident.id, "assigned to another incident at the site")
        return None, (
            "Du er ikke tildelt denne hendelsen; tildel deg selv for å se anlegget. / "
            "You are not assigned to this incident; assign yourself to see the site. "
            "The refusal is logged."
        )
    try:
        view = operators.site_view(system.engine, system.policy.policy, who.actor, incident.site_id)
    except operators.AccessRefused as exc:
        return None, str(exc)
    return view, None


@router.get("/hendelse/{incident_id}")
def incident_page(
    incident_id: int, request: Request, who: OperatorPage, system: SystemDep
) -> Response:
    policy = system.policy.policy
    now = datetime.now(UTC)
    with reading(system.engine) as conn:
        incident = _incident(conn, incident_id)
        justified = (
            operators.justifying(conn, policy, who.actor, incident.site_id, now)
            if incident.site_id is not None
            else []
        )
    view, refusal = _view(system, who, incident, justified)
    steps: Sequence[Any] = []
    record: Sequence[Any] = []
    if incident_id not in justified:  # the steps and the record name people too
        return _incident_page(request, incident, view, refusal, steps, record, justified)
    with reading(system.engine) as conn:
        steps = conn.execute(
            select(incident_steps)
            .where(incident_steps.c.incident_id == incident_id)
            .order_by(incident_steps.c.at, incident_steps.c.id)
        ).all()
        record = who_saw_what(conn, incident_id)
    return _incident_page(request, incident, view, refusal, steps, record, justified)


def who_saw_what(conn: Connection, incident_id: int) -> Sequence[Row[Any]]:
    """The looks taken for the incident, one line per person, action and object.

    An operator keeps an incident's page open and reloads it: a line per look would bury
    who else looked under their own reloads. The audit log keeps every look, and
    ``/api/v1/incidents/{id}/views`` lists them one by one.
    """
    entry = audit_log.c
    return conn.execute(
        select(
            entry.actor,
            entry.action,
            entry.subject,
            func.count().label("times"),
            func.min(entry.at).label("first_at"),
            func.max(entry.at).label("last_at"),
        )
        .where(entry.purpose == f"incident:{incident_id}")
        .group_by(entry.actor, entry.action, entry.subject)
        .order_by(func.max(entry.seq).desc())
        .limit(RECORD_LIMIT)
    ).all()


def _incident_page(
    request: Request,
    incident: Any,
    view: Any,
    refusal: Any,
    steps: Sequence[Any],
    record: Sequence[Any],
    justified: list[int],
) -> Response:
    return render(
        request,
        "operator/incident.html.j2",
        incident=incident,
        view=view,
        names={c.person_id: c.name for c in view.contacts} if view else {},
        refusal=refusal,
        steps=steps,
        record=record,
        assigned=incident.id in justified,
        is_open=incident.closed_at is None,
        outcomes=inc.OUTCOMES,
    )


@router.get("/media/{media_id}")
def media_file(media_id: int, who: OperatorPage, system: SystemDep) -> Response:
    """A verification image of an incident the operator handles (audited, or refused)."""
    try:
        found = operators.media_content(
            system.engine, system.vault, system.policy.policy, who.actor, media_id
        )
    except operators.AccessRefused as exc:
        raise ApiError(403, str(exc)) from None
    kind = found.content_type
    safe = kind if kind and kind.startswith(("image/", "video/")) else "application/octet-stream"
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(found.data, media_type=safe, headers=headers)


def _assigned(system: System, who: Principal, incident_id: int) -> Row[Any]:
    """The incident, once the operator is assigned to it; else refuse (audited)."""
    with reading(system.engine) as conn:
        incident = _incident(conn, incident_id)
        justified = (
            operators.justifying(
                conn, system.policy.policy, who.actor, incident.site_id, datetime.now(UTC)
            )
            if incident.site_id is not None
            else []
        )
    if incident_id not in justified:
        _refuse(system, who, incident_id, "not assigned")
        raise ApiError(
            403, "tildel deg selv hendelsen først / assign yourself to the incident first"
        )
    return incident


def _back(incident_id: int, ok: str = "step") -> Response:
    return done(f"/operator/hendelse/{incident_id}", ok)


@router.post("/hendelse/{incident_id}/tildel")
def assign_self(incident_id: int, who: OperatorPage, system: SystemDep) -> Response:
    with system.engine.begin() as conn:
        inc.assign(conn, incident_id, who.actor)
    return _back(incident_id, "assigned")


@router.post("/hendelse/{incident_id}/kontakt")
def contact_called(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    person: Annotated[int, Form()],
    outcome: Annotated[Literal["answered", "no_answer", "busy", "will_come", "not_needed"], Form()],
) -> Response:
    incident = _assigned(system, who, incident_id)
    with system.engine.begin() as conn:
        known = conn.execute(
            select(alarm_contacts.c.id).where(
                alarm_contacts.c.site_id == incident.site_id,
                alarm_contacts.c.person_id == person,
                alarm_contacts.c.removed_at.is_(None),
            )
        ).first()
        if known is None:
            raise ApiError(422, "ikke en kontakt for anlegget / not a contact of the site")
        inc.contact_called(conn, incident_id, person, outcome, who.actor)
    return _back(incident_id)


@router.post("/hendelse/{incident_id}/vakt")
def guard_dispatched(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    company: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    _assigned(system, who, incident_id)
    with system.engine.begin() as conn:
        inc.guard_dispatched(conn, incident_id, who.actor, company.strip())
    return _back(incident_id)


@router.post("/hendelse/{incident_id}/politi")
def police_notified(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    case_no: Annotated[str, Form(min_length=1, max_length=64)],
    hold_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _assigned(system, who, incident_id)
    until = _date(hold_until)
    with system.engine.begin() as conn:
        inc.police_notified(
            conn, incident_id, who.actor, case_no.strip(), system.policy.policy, until
        )
    return _back(incident_id)


@router.post("/hendelse/{incident_id}/lukk")
def close(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    cause: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    _assigned(system, who, incident_id)
    with system.engine.begin() as conn:
        inc.close(conn, incident_id, who.actor, cause.strip())
    return _back(incident_id, "closed")


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(422, f"ugyldig dato / invalid date: {value[:10]}") from None
