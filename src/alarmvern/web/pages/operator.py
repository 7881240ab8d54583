"""The operator console: the queue (every open incident, worst and oldest first, live), and
each incident with what handling it allows, its action plan and its steps.

The rules live below: the queue in :mod:`alarmvern.intake.queue`, the incident as it may be
seen in :mod:`alarmvern.intake.incident_view`, who may record a step in
:mod:`alarmvern.intake.operators` (and the lifecycle checks it itself). This module renders.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from sse_starlette import EventSourceResponse

from alarmvern.intake import action_plans, changes, incident_view, operators
from alarmvern.intake import incidents as inc
from alarmvern.intake import queue as incident_queue
from alarmvern.intake.incidents import CallOutcome
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages.render import OperatorPage, PageRoute, done, render
from alarmvern.web.security import Principal

router = APIRouter(prefix="/operator", route_class=PageRoute, include_in_schema=False)
Family = Literal["", "fire", "panic", "medical", "burglary", "other", "technical"]
Status = Literal["", "received", "assigned", "contact_called", "guard_dispatched",
                 "police_notified"]  # fmt: skip


@router.get("")
def queue(
    request: Request,
    who: OperatorPage,
    system: SystemDep,
    type: Annotated[Family, Query()] = "",
    status: Annotated[Status, Query()] = "",
    fra: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Every open incident nobody has taken, then the rest a page at a time."""
    with reading(system.engine) as conn:
        found = incident_queue.read(conn, family=type or None, status=status or None, offset=fra)
    return render(
        request, "operator/queue.html.j2", queue=found, family=type, status=status,
        now=datetime.now(UTC), FAMILIES=action_plans.KINDS, me=who.actor,
        kind_words=incident_view.kind_words,
    )  # fmt: skip


@router.get("/strom")
async def stream(request: Request, who: OperatorPage, system: SystemDep) -> Response:
    """Server-sent events: the queue's version now and whenever an incident changes."""
    watcher = changes.watcher(system.engine)

    async def events() -> AsyncIterator[dict[str, str]]:
        async for version in watcher.changes():
            yield {"event": "change", "data": str(version)}

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store"})


@router.get("/hendelse/{incident_id}")
def incident_page(
    incident_id: int, request: Request, who: OperatorPage, system: SystemDep
) -> Response:
    view = incident_view.read(
        system.engine, system.policy.policy, who.actor, incident_id, record=True
    )
    names = {c.person_id: c.name for c in view.site.contacts} if view.site else {}
    return render(
        request, "operator/incident.html.j2", incident=view, names=names,
        outcomes=inc.OUTCOMES, SIGNAL_FIELDS=incident_view.SIGNAL_FIELDS,
        FAMILIES=action_plans.KINDS, kind_words=incident_view.kind_words,
    )  # fmt: skip


@router.get("/hendelse/{incident_id}/endringer")
def incident_changes(
    incident_id: int, request: Request, who: OperatorPage, system: SystemDep
) -> Response:
    """The parts of the incident's page that change (facts, signals, plan, steps), for its
    live refresh: no audit entry, for they hold none of the site's people."""
    view = incident_view.read_changes(system.engine, system.policy.policy, who.actor, incident_id)
    return render(
        request, "operator/incident_changes.html.j2", incident=view,
        SIGNAL_FIELDS=incident_view.SIGNAL_FIELDS, FAMILIES=action_plans.KINDS,
        kind_words=incident_view.kind_words,
    )  # fmt: skip


@router.get("/media/{media_id}")
def media_file(media_id: int, who: OperatorPage, system: SystemDep) -> Response:
    """A verification image of an incident the operator handles (audited, or refused)."""
    found = operators.media_content(
        system.engine, system.vault, system.policy.policy, who.actor, media_id
    )
    kind = found.content_type
    safe = kind if kind and kind.startswith(("image/", "video/")) else "application/octet-stream"
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    return Response(found.data, media_type=safe, headers=headers)


def _as_holder(
    system: System, who: Principal, incident_id: int, act: Callable[[Connection], Any], ok: str
) -> Response:
    operators.as_holder(system.engine, who.actor, incident_id, act)
    return done(f"/operator/hendelse/{incident_id}", ok)


@router.post("/hendelse/{incident_id}/tildel")
def assign_self(incident_id: int, who: OperatorPage, system: SystemDep) -> Response:
    with system.engine.begin() as conn:
        inc.assign(conn, incident_id, who.actor)
    return done(f"/operator/hendelse/{incident_id}", "assigned")


@router.post("/hendelse/{incident_id}/kontakt")
def contact_called(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    person: Annotated[int, Form()],
    outcome: Annotated[CallOutcome, Form()],
) -> Response:
    return _as_holder(
        system, who, incident_id,
        lambda conn: inc.contact_called(conn, incident_id, person, outcome, who.actor), "step",
    )  # fmt: skip


@router.post("/hendelse/{incident_id}/vakt")
def guard_dispatched(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    company: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    return _as_holder(
        system, who, incident_id,
        lambda conn: inc.guard_dispatched(conn, incident_id, who.actor, company.strip()), "step",
    )  # fmt: skip


@router.post("/hendelse/{incident_id}/politi")
def police_notified(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    case_no: Annotated[str, Form(min_length=1, max_length=64)],
    hold_until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    until = _date(hold_until)
    policy = system.policy.policy

    def act(conn: Connection) -> None:
        inc.police_notified(conn, incident_id, who.actor, case_no.strip(), policy, until)

    return _as_holder(system, who, incident_id, act, "step")


@router.post("/hendelse/{incident_id}/instruks/{number}")
def plan_step(incident_id: int, number: int, who: OperatorPage, system: SystemDep) -> Response:
    """One step of the action plan done, now."""
    return _as_holder(
        system, who, incident_id,
        lambda conn: action_plans.record_step(conn, incident_id, number, who.actor), "step",
    )  # fmt: skip


@router.post("/hendelse/{incident_id}/lukk")
def close(
    incident_id: int,
    who: OperatorPage,
    system: SystemDep,
    cause: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    return _as_holder(
        system, who, incident_id,
        lambda conn: inc.close(conn, incident_id, who.actor, cause.strip()), "closed",
    )  # fmt: skip


def _date(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(
            422, f"ugyldig dato (skriv ÅÅÅÅ-MM-DD) / invalid date (write YYYY-MM-DD): {value[:10]}"
        ) from None
