"""The DPO's breach pages (``/personvern/brudd``): the register with the 72-hour clock, overdue
first; registering a breach; one breach with the people affected (proposed from the audit log
or a lost blob prefix), the decision, and the drafts to mark sent. The rules are in
:mod:`alarmvern.accountability`; these pages only render and pass the forms on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response

from alarmvern.accountability import affected, breaches, drafts
from alarmvern.accountability.breaches import parse_time
from alarmvern.store.engine import reading
from alarmvern.store.tables.columns import now
from alarmvern.web.deps import SystemDep
from alarmvern.web.pages.render import DpoPage, PageRoute, done, render

router = APIRouter(prefix="/personvern", route_class=PageRoute, include_in_schema=False)
LIST = "/personvern/brudd"


@router.get("/brudd")
def breach_list(request: Request, _who: DpoPage, system: SystemDep) -> Response:
    at = now()
    with reading(system.engine) as conn:
        found = breaches.list_breaches(conn, at)
    categories = sorted(system.policy.policy.categories)
    return render(request, "dpo/breaches.html.j2", found=found, at=at, categories=categories)


@router.post("/brudd")
def breach_register(
    who: DpoPage,
    system: SystemDep,
    title: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    discovered_at: Annotated[str, Form(max_length=40)] = "",
    began_at: Annotated[str, Form(max_length=40)] = "",
    categories: Annotated[list[str] | None, Form()] = None,
    people_count: Annotated[int | None, Form(ge=0)] = None,
    records_count: Annotated[int | None, Form(ge=0)] = None,
    consequences: Annotated[str, Form(max_length=5000)] = "",
    measures: Annotated[str, Form(max_length=5000)] = "",
    controller: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    with system.engine.begin() as conn:
        breach_id = breaches.register(
            conn,
            system.policy.policy,
            title=title,
            description=description,
            discovered_at=parse_time("discovered_at", discovered_at),
            began_at=parse_time("began_at", began_at),
            categories=categories or [],
            people_count=people_count,
            records_count=records_count,
            consequences=consequences,
            measures=measures,
            controller=controller or None,
            actor=who.actor,
        )
    return done(f"{LIST}/{breach_id}", "breach-registered")


@router.get("/brudd/{breach_id}")
def breach_page(breach_id: int, request: Request, _who: DpoPage, system: SystemDep) -> Response:
    with reading(system.engine) as conn:
        found = breaches.get(conn, breach_id)
        people = affected.affected(conn, breach_id)
        made = drafts.list_drafts(conn, breach_id)
    return render(request, "dpo/breach.html.j2", b=found, people=people, drafts=made, at=now())


@router.post("/brudd/{breach_id}/berorte")
def breach_affected(
    breach_id: int,
    who: DpoPage,
    system: SystemDep,
    login: Annotated[str, Form(max_length=100)] = "",
    start: Annotated[str, Form(max_length=40)] = "",
    end: Annotated[str, Form(max_length=40)] = "",
    prefix: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    with system.engine.begin() as conn:
        breaches.get(conn, breach_id)
        people, source = affected.propose(
            conn,
            login=login,
            start=parse_time("start", start),
            end=parse_time("end", end),
            prefix=prefix,
        )
        affected.add(conn, breach_id, people, source=source, actor=who.actor)
    return done(f"{LIST}/{breach_id}", "breach-affected")


@router.post("/brudd/{breach_id}/beslutning")
def breach_decide(
    breach_id: int,
    who: DpoPage,
    system: SystemDep,
    notify_authority: Annotated[bool, Form()] = False,
    notify_people: Annotated[bool, Form()] = False,
    reasons: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    with system.engine.begin() as conn:
        breaches.decide(
            conn,
            breach_id,
            notify_authority=notify_authority,
            notify_people=notify_people,
            reasons=reasons,
            actor=who.actor,
        )
    return done(f"{LIST}/{breach_id}", "breach-decided")


@router.post("/brudd/{breach_id}/utkast")
def breach_drafts(
    breach_id: int, who: DpoPage, system: SystemDep, later: BackgroundTasks
) -> Response:
    with system.engine.begin() as conn:
        drafts.make(conn, breach_id, system.policy.policy, actor=who.actor)
    later.add_task(drafts.deliver_for, system, breach_id, actor=who.actor)  # after the commit
    return done(f"{LIST}/{breach_id}", "breach-drafted")


@router.post("/brudd/{breach_id}/utkast/{draft_id}/sendt")
def breach_sent(breach_id: int, draft_id: int, who: DpoPage, system: SystemDep) -> Response:
    with system.engine.begin() as conn:
        drafts.mark_sent(conn, draft_id, actor=who.actor)
    return done(f"{LIST}/{breach_id}", "breach-sent")
