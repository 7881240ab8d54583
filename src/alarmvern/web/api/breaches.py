"""Breaches for the DPO: the register with its 72-hour clock, the people affected, the
decision, the drafts and their sending. The rules are in :mod:`alarmvern.accountability`."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from alarmvern.accountability import affected, breaches, drafts
from alarmvern.accountability.breaches import BreachError
from alarmvern.store.engine import reading
from alarmvern.store.tables._columns import now
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


class BreachOut(BaseModel):
    id: int
    title: str
    description: str
    began_at: datetime | None
    discovered_at: datetime
    deadline: datetime
    hours_left: float
    overdue: bool
    categories: list[str]
    people_count: int | None
    records_count: int | None
    consequences: str
    measures: str
    controller: str | None
    notify_authority: bool | None
    notify_people: bool | None
    decision_reasons: str | None
    decided_at: datetime | None


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


class DraftOut(BaseModel):
    id: int
    kind: str
    person_id: int | None
    body_nb: str
    body_en: str
    to_send_by: str | None
    sent_at: datetime | None


class BreachDetailOut(BaseModel):
    breach: BreachOut
    affected: list[int]
    drafts: list[DraftOut]


def breach_out(b: breaches.Breach, at: datetime) -> BreachOut:
    return BreachOut(
        id=b.id,
        title=b.title,
        description=b.description,
        began_at=b.began_at,
        discovered_at=b.discovered_at,
        deadline=b.deadline,
        hours_left=round(b.hours_left(at), 2),
        overdue=b.overdue(at),
        categories=list(b.categories),
        people_count=b.people_count,
        records_count=b.records_count,
        consequences=b.consequences,
        measures=b.measures,
        controller=b.controller,
        notify_authority=b.notify_authority,
        notify_people=b.notify_people,
        decision_reasons=b.decision_reasons,
        decided_at=b.decided_at,
    )


def draft_out(d: drafts.Draft) -> DraftOut:
    return DraftOut(
        id=d.id,
        kind=d.kind,
        person_id=d.person_id,
        body_nb=d.body_nb,
        body_en=d.body_en,
        to_send_by=d.to_send_by,
        sent_at=d.sent_at,
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
    unknown = [c for c in body.categories if c not in system.policy.policy.categories]
    if unknown:
        raise BreachError(
            "categories", f"ukjent kategori {unknown[0]!r}", f"unknown category {unknown[0]!r}"
        )
    with system.engine.begin() as conn:
        breach_id = breaches.register(conn, **body.model_dump(), actor=who.actor)
        return breach_out(breaches.get(conn, breach_id), now())


@router.get("/breaches/{breach_id}", response_model=BreachDetailOut)
def breach_detail(breach_id: PathId, system: SystemDep, _who: Dpo) -> BreachDetailOut:
    with reading(system.engine) as conn:
        found = breaches.get(conn, breach_id)
        people = [p for p, _ in affected.affected(conn, breach_id)]
        made = drafts.list_drafts(conn, breach_id)
    return BreachDetailOut(
        breach=breach_out(found, now()), affected=people, drafts=[draft_out(d) for d in made]
    )


def propose(conn: Connection, body: AffectedIn) -> tuple[list[int], str]:
    """The people the request points at, and where they were found."""
    if body.login:
        if body.start is None or body.end is None:
            raise BreachError("start", "tidsrommet mangler", "the time window is missing")
        return affected.read_by_login(conn, body.login, body.start, body.end), "audit-log"
    if body.prefix:
        return affected.in_lost_blobs(conn, body.prefix), "lost-blobs"
    raise BreachError("login", "oppgi login eller prefix", "give a login or a prefix")


@router.post("/breaches/{breach_id}/affected", response_model=AffectedOut)
def add_affected(breach_id: PathId, body: AffectedIn, system: SystemDep, who: Dpo) -> AffectedOut:
    """Foreslå (og lagre) de berørte / propose (and record) the people affected."""
    with system.engine.begin() as conn:
        breaches.get(conn, breach_id)
        people, source = propose(conn, body)
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


@router.post("/breaches/{breach_id}/drafts", response_model=list[DraftOut])
def make_drafts(breach_id: PathId, system: SystemDep, who: Dpo) -> list[DraftOut]:
    """Lag utkastene / draft the notification and the messages the decision calls for."""
    with system.engine.begin() as conn:
        drafts.make(conn, breach_id, system.policy.policy, actor=who.actor)
        found = drafts.list_drafts(conn, breach_id)
        drafts.deliver(conn, found)
        return [draft_out(d) for d in drafts.list_drafts(conn, breach_id)]


@router.post("/breach-drafts/{draft_id}/sent", status_code=204)
def mark_sent(draft_id: PathId, system: SystemDep, who: Dpo) -> None:
    """Merk utkastet sendt (én gang) / mark the draft sent (once)."""
    with system.engine.begin() as conn:
        drafts.mark_sent(conn, draft_id, actor=who.actor)
