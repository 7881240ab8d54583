"""Customer service's page for a site's action plans (``/instruks/{site}``): each alarm
kind's steps, its own or the standard ones, and a form to set them. The rule and its
checks are :mod:`alarmvern.intake.action_plans`; the API and the CLI call the same."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from alarmvern.intake import action_plans
from alarmvern.store.engine import reading
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.pages.render import PageRoute, ServicePage, done, render

router = APIRouter(prefix="/instruks", route_class=PageRoute, include_in_schema=False)
ROWS = 6  # step rows in the form; a longer plan is set from the API or the CLI


@router.get("/{site_id}")
def plans_page(site_id: int, request: Request, who: ServicePage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        plans = action_plans.plans_of(conn, site_id)
    return render(
        request, "plans.html.j2", site_id=site_id, plans=plans, KINDS=action_plans.KINDS,
        ACTIONS=action_plans.ACTIONS, rows=ROWS,
    )  # fmt: skip


@router.post("/{site_id}/{kind}")
def set_plan(
    site_id: int,
    kind: str,
    who: ServicePage,
    system: SystemDep,
    action: Annotated[list[str], Form()],
    minutes: Annotated[list[str], Form()],
    note: Annotated[list[str], Form()],
) -> Response:
    if kind not in action_plans.KINDS:
        raise ApiError(404, f"ukjent alarmtype / unknown alarm kind: {kind[:32]}")
    steps = [
        {"action": a, "minutes": m.strip() or None, "note": n.strip() or None}
        for a, m, n in zip(action, minutes, note, strict=False)
        if a
    ]
    with system.engine.begin() as conn:
        action_plans.set_plan(conn, site_id=site_id, kind=kind, steps=steps, actor=who.actor)
    return done(f"/instruks/{site_id}", "plan-set")
