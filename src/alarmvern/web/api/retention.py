"""Retention for the DPO: the forecast of what goes when, legal holds, and the audit chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from alarmvern import audit
from alarmvern.retention import holds
from alarmvern.retention.forecast import forecast
from alarmvern.store.engine import reading
from alarmvern.web.api.common import ERRORS, PREFIX, AfterId, Limit, PathId
from alarmvern.web.api.schemas_rights import (
    AuditVerifyOut,
    BreakOut,
    ForecastOut,
    HoldForecastOut,
    HoldIn,
    HoldOut,
    HoldPage,
    UnitForecastOut,
)
from alarmvern.web.deps import Dpo, SystemDep

router = APIRouter(prefix=PREFIX, tags=["retention"], responses=ERRORS)


def hold_out(h: holds.Hold) -> HoldOut:
    return HoldOut(
        id=h.id,
        target=h.target,
        target_id=h.target_id,
        reason=h.reason,
        placed_by=h.placed_by,
        placed_at=h.placed_at,
        ends_on=h.ends_on,
        override=h.override,
        released_at=h.released_at,
        active=h.active,
    )


@router.get("/retention/forecast", response_model=ForecastOut)
def retention_forecast(
    system: SystemDep,
    _who: Dpo,
    days: Annotated[int, Query(ge=1, le=3650, description="How far ahead, in days.")] = 90,
) -> ForecastOut:
    """Hva slettes når / what retention deletes on which day, and what holds keep back."""
    with reading(system.engine) as conn:
        found = forecast(conn, system.policy.policy, days=days)
    return ForecastOut(
        now=found.now,
        days=found.days,
        units=[
            UnitForecastOut(
                unit=u.unit,
                action=u.action,
                due_now=u.due_now,
                by_day=u.by_day,
                held=u.held,
                total=u.total,
            )
            for u in found.units
            if u.total or u.held
        ],
        holds=[HoldForecastOut(**h.__dict__) for h in found.holds],
        manual=found.manual,
    )


@router.get("/holds", response_model=HoldPage)
def list_holds(
    system: SystemDep,
    _who: Dpo,
    include_released: bool = False,
    limit: Limit = 100,
    after: AfterId = None,
) -> HoldPage:
    """Rettslige sperrer / legal holds, by id."""
    with reading(system.engine) as conn:
        found, more = holds.page_of_holds(
            conn, include_released=include_released, after=after, limit=limit
        )
    items = [hold_out(h) for h in found]
    return HoldPage(items=items, next_after=items[-1].id if more else None)


@router.post("/holds", response_model=HoldOut, status_code=201)
def place_hold(system: SystemDep, who: Dpo, body: HoldIn) -> HoldOut:
    """Legg en sperre / place a legal hold (within the policy's limit unless overridden)."""
    with system.engine.begin() as conn:
        placed = holds.place(
            conn,
            system.policy.policy,
            target=body.target,
            target_id=body.target_id,
            reason=body.reason,
            ends_on=body.ends_on,
            placed_by=who.actor,
            override=body.override,
        )
    return hold_out(placed)


@router.post("/holds/{hold_id}/release", response_model=HoldOut)
def release_hold(system: SystemDep, who: Dpo, hold_id: PathId) -> HoldOut:
    """Opphev en sperre / release a legal hold."""
    with system.engine.begin() as conn:
        return hold_out(holds.release(conn, hold_id, released_by=who.actor))


@router.get("/audit/verify", response_model=AuditVerifyOut)
def verify_audit(system: SystemDep, _who: Dpo) -> AuditVerifyOut:
    """Kontroller revisjonsloggen / verify the audit log's hash chain."""
    with reading(system.engine) as conn:
        count, broken = audit.verify(conn)
    first = None if broken is None else BreakOut(seq=broken.seq, problem=broken.problem)
    return AuditVerifyOut(entries=count, intact=broken is None, first_break=first)
