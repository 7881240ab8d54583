"""Breaches for the DPO: the register with its 72-hour clock, the people affected, the
decision, the drafts and their sending. The rules are in :mod:`alarmvern.accountability`."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, BackgroundTasks
from pydantic import BaseModel, Field

from alarmvern.accountability import affected, breaches, drafts
from alarmvern.store.engine import reading
from alarmvern.store.tables.columns import now
from alarmvern.web.api.common import ERRORS, PREFIX, PathId
from alarmvern.web.deps import Dpo, SystemDep

router = APIRouter(prefix=PREFIX, tags=["breaches"], responses=ERRORS)


class BreachIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    discovered_at: datetime | None = None  # required: refused with its name when missing
    began_at: datetime | None = None
    categories: list[str] = Field(default_factory=list, max_length=100)
    people_count: int | None = Field(default=None, ge=0)
    records_count: int | None = Field(default=None, ge=0)
    consequences: str = Field(default="", max_length=5000)
    measures: str = Field(default="", max_length=5000)
    controller: str | None = Field(default=None, max_length=200)


class BreachOut(breaches.Breach):
    """The register's :class:`~alarmvern.accountability.breaches.Breach` (its fields and
    ``deadline``), with the clock as of the request."""

    # Named apart from the methods they are the values of; the JSON keys are the methods' names.
    hours_left_now: float = Field(serialization_alias="hours_left")
    overdue_now: bool = Field(serialization_alias="overdue")


class AffectedIn(BaseModel):
    """Either a login and a time window (from the audit log) or a lost blob prefix."""

    login: str | None = Field(default=None, max_length=100)
    start: datetime | None = None
    end: datetime | None = None
    prefix: str | None = Field(default=None, min_length=1, max_length=200)
    add: bool = True


class AffectedOut(BaseModel):
    proposed: list[int]
    added: int


class DecisionIn(BaseModel):
    notify_authority: bool
    notify_people: bool
    reasons: str = Field(default="", max_length=5000)


class BreachDetailOut(BaseModel):
    breach: BreachOut
    affected: list[int]
    drafts: list[drafts.Draft]


def breach_out(b: breaches.Breach, at: datetime) -> BreachOut:
    return BreachOut(
        **b.model_dump(exclude={"deadline"}),
        hours_left_now=round(b.hours_left(at), 2),
        overdue_now=b.overdue(at),
    )


@router.get("/breaches", response_model=list[BreachOut])
def list_breaches(system: SystemDep, _who: Dpo) -> list[BreachOut]:
    """Registeret over brudd, forfalte først / the breach register, overdue first."""
    at = now()
    with reading(system.engine) as conn:
        return [breach_out(b, at) for b in breaches.list_breaches(conn, at)]


@router.post("/breaches", response_model=BreachOut, status_code=201)
def register_breach(body: BreachIn, system: SystemDep, who: Dpo) -> BreachOut:
    """Registrer et brudd / register a breach; the 72 hours run from ``discovered_at``."""
    with system.engine.begin() as conn:
        breach_id = breaches.register(
            conn, system.policy.policy, **body.model_dump(), actor=who.actor
        )
        return breach_out(breaches.get(conn, breach_id), now())


@router.get("/breaches/{breach_id}", response_model=BreachDetailOut)
def breach_detail(breach_id: PathId, system: SystemDep, _who: Dpo) -> BreachDetailOut:
    with reading(system.engine) as conn:
        found = breaches.get(conn, breach_id)
        people = [p for p, _ in affected.affected(conn, breach_id)]
        made = drafts.list_drafts(conn, breach_id)
    return BreachDetailOut(breach=breach_out(found, now()), affected=people, drafts=made)


@router.post("/breaches/{breach_id}/affected", response_model=AffectedOut)
def add_affected(breach_id: PathId, body: AffectedIn, system: SystemDep, who: Dpo) -> AffectedOut:
    """Foreslå (og lagre) de berørte / propose (and record) the people affected."""
    with system.engine.begin() as conn:
        breaches.get(conn, breach_id)
        people, source = affected.propose(
            conn, login=body.login, start=body.start, end=body.end, prefix=body.prefix
        )
        added = (
            affected.add(conn, breach_id, people, source=source, actor=who.actor) if body.add else 0
        )
    return AffectedOut(proposed=people, added=added)


@router.post("/breaches/{breach_id}/decision", response_model=BreachOut)
def decide(breach_id: PathId, body: DecisionIn, system: SystemDep, who: Dpo) -> BreachOut:
    """Beslutt varsling med begrunnelse / decide whom to notify, with reasons."""
    with system.engine.begin() as conn:
        breaches.decide(conn, breach_id, **body.model_dump(), actor=who.actor)
        return breach_out(breaches.get(conn, breach_id), now())


@router.post("/breaches/{breach_id}/drafts", response_model=list[drafts.Draft])
def make_drafts(
    breach_id: PathId, system: SystemDep, who: Dpo, later: BackgroundTasks
) -> list[drafts.Draft]:
    """Lag utkastene / draft the notification and the messages the decision calls for; once
    they are stored, each person's message goes out through the outbox (``to_send_by``
    turns to ``email`` or ``sms`` and ``sent_at`` is set; ``hand`` for the DPO to send)."""
    with system.engine.begin() as conn:
        drafts.make(conn, breach_id, system.policy.policy, actor=who.actor)
        found = drafts.list_drafts(conn, breach_id)
    later.add_task(drafts.deliver_for, system, breach_id, actor=who.actor)
    return found


@router.post("/breach-drafts/{draft_id}/sent", status_code=204)
def mark_sent(draft_id: PathId, system: SystemDep, who: Dpo) -> None:
    """Merk utkastet sendt (én gang) / mark the draft sent (once)."""
    with system.engine.begin() as conn:
        drafts.mark_sent(conn, draft_id, actor=who.actor)
