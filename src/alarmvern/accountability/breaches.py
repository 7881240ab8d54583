"""The breach register (art. 33(5)): register a breach, decide whether to notify (art. 33(1),
34(3)), and count the 72 hours from discovery. Every breach is kept, notified or not.

The 72 hours are clock hours from awareness: they run through weekends and holidays
(Regulation 1182/71 art. 3(4) extends only periods not expressed in hours).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.store.tables import breaches
from alarmvern.store.tables._columns import as_utc, now

DEADLINE = timedelta(hours=72)


class BreachError(AlarmvernError):
    """Bad input for the register: the message names the field, in bokmål and English."""

    http_status = 422

    def __init__(self, field: str, nb: str, en: str) -> None:
        self.field = field
        super().__init__(f"{field}: {nb} / {en}")


class BreachNotFound(BreachError):
    http_status = 404


@dataclass(frozen=True)
class Breach:
    id: int
    title: str
    description: str
    began_at: datetime | None
    discovered_at: datetime
    registered_at: datetime
    registered_by: str
    categories: tuple[str, ...]
    people_count: int | None
    records_count: int | None
    consequences: str
    measures: str
    controller: str | None
    notify_authority: bool | None
    notify_people: bool | None
    decision_reasons: str | None
    decided_at: datetime | None

    @property
    def deadline(self) -> datetime:
        return self.discovered_at + DEADLINE

    @property
    def decided(self) -> bool:
        return self.decided_at is not None

    def hours_left(self, at: datetime) -> float:
        """Hours to the 72-hour deadline (negative once past it)."""
        return (self.deadline - at).total_seconds() / 3600

    def overdue(self, at: datetime) -> bool:
        """Past 72 hours from discovery with no decision made."""
        return not self.decided and at > self.deadline


def new_id(key: Any) -> int:
    """The id of an inserted row (SQLAlchemy types the key as optional)."""
    assert key is not None
    return int(key[0])


def _required(field: str, value: str | None, nb: str, en: str) -> str:
    if value is None or not value.strip():
        raise BreachError(field, nb, en)
    return value.strip()


def register(
    conn: Connection,
    *,
    title: str,
    description: str,
    discovered_at: datetime | None,
    began_at: datetime | None = None,
    categories: Sequence[str] = (),
    people_count: int | None = None,
    records_count: int | None = None,
    consequences: str = "",
    measures: str = "",
    controller: str | None = None,
    actor: str,
    at: datetime | None = None,
) -> int:
    """Enter a breach in the register; its clock starts at ``discovered_at``."""
    if discovered_at is None:
        raise BreachError(
            "discovered_at",
            "når bruddet ble oppdaget, må oppgis (72 timer regnes fra da)",
            "the time the breach was discovered is required (the 72 hours run from it)",
        )
    moment = at or now()
    discovered = as_utc(discovered_at)
    if discovered > moment + timedelta(minutes=5):
        raise BreachError(
            "discovered_at", "oppdagelsen kan ikke ligge i fremtiden", "discovery cannot be future"
        )
    if began_at is not None and as_utc(began_at) > discovered:
        raise BreachError(
            "began_at",
            "bruddet kan ikke ha begynt etter at det ble oppdaget",
            "the breach cannot have begun after it was discovered",
        )
    for field, count in (("people_count", people_count), ("records_count", records_count)):
        if count is not None and count < 0:
            raise BreachError(field, "kan ikke være negativt", "cannot be negative")
    values: dict[str, Any] = {
        "title": _required("title", title, "tittel mangler", "a title is required"),
        "description": _required(
            "description", description, "hva som skjedde, mangler", "what happened is required"
        ),
        "began_at": as_utc(began_at) if began_at else None,
        "discovered_at": discovered,
        "registered_at": moment,
        "registered_by": actor,
        "categories": list(categories),
        "people_count": people_count,
        "records_count": records_count,
        "consequences": consequences.strip(),
        "measures": measures.strip(),
        "controller": (controller or "").strip() or None,
    }
    breach_id = new_id(conn.execute(breaches.insert().values(**values)).inserted_primary_key)
    audit.append(
        conn,
        actor=actor,
        action="breach.register",
        subject=f"breach:{breach_id}",
        details={"categories": len(values["categories"]), "people": people_count},
        at=moment,
    )
    return breach_id


def decide(
    conn: Connection,
    breach_id: int,
    *,
    notify_authority: bool,
    notify_people: bool,
    reasons: str,
    actor: str,
    at: datetime | None = None,
) -> None:
    """Record whether Datatilsynet (art. 33(1)) and the people (art. 34) are told, and why."""
    why = _required(
        "reasons",
        reasons,
        "en beslutning må begrunnes (art. 33(1), 34(3))",
        "a decision needs its reasons (art. 33(1), 34(3))",
    )
    get(conn, breach_id)
    moment = at or now()
    conn.execute(
        breaches.update()
        .where(breaches.c.id == breach_id)
        .values(
            notify_authority=notify_authority,
            notify_people=notify_people,
            decision_reasons=why,
            decided_at=moment,
            decided_by=actor,
        )
    )
    audit.append(
        conn,
        actor=actor,
        action="breach.decide",
        subject=f"breach:{breach_id}",
        details={"authority": notify_authority, "people": notify_people},
        at=moment,
    )


def _breach(row: Any) -> Breach:
    return Breach(
        id=int(row.id),
        title=row.title,
        description=row.description,
        began_at=as_utc(row.began_at) if row.began_at else None,
        discovered_at=as_utc(row.discovered_at),
        registered_at=as_utc(row.registered_at),
        registered_by=row.registered_by,
        categories=tuple(row.categories or ()),
        people_count=row.people_count,
        records_count=row.records_count,
        consequences=row.consequences,
        measures=row.measures,
        controller=row.controller,
        notify_authority=row.notify_authority,
        notify_people=row.notify_people,
        decision_reasons=row.decision_reasons,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
    )


def get(conn: Connection, breach_id: int) -> Breach:
    row = conn.execute(select(breaches).where(breaches.c.id == breach_id)).first()
    if row is None:
        raise BreachNotFound(
            "breach_id", f"finner ikke brudd {breach_id}", f"no breach {breach_id}"
        )
    return _breach(row)


def list_breaches(conn: Connection, at: datetime | None = None) -> list[Breach]:
    """Every breach: the overdue first, then undecided by deadline, then the decided, newest."""
    moment = at or now()
    found = [_breach(r) for r in conn.execute(select(breaches))]
    return sorted(
        found,
        key=lambda b: (
            not b.overdue(moment),
            b.decided,
            b.deadline.timestamp() if not b.decided else -b.discovered_at.timestamp(),
        ),
    )
