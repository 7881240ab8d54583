"""The breach register (art. 33(5)): register a breach, decide whether to notify (art. 33(1),
34(3)), and count the 72 hours from discovery. Every breach is kept, notified or not.

The 72 hours are clock hours from awareness: they run through weekends and holidays
(Regulation 1182/71 art. 3(4) extends only periods not expressed in hours).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field
from sqlalchemy import Connection, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Policy, covers
from alarmvern.store.tables import breaches
from alarmvern.store.tables.columns import as_utc, now

DEADLINE = timedelta(hours=72)


class BreachError(AlarmvernError):
    """Bad input for the register: the message names the field, in bokmål and English."""

    http_status = 422

    def __init__(self, field: str, nb: str, en: str) -> None:
        super().__init__(nb, en, field=field)

    def texts(self) -> tuple[str, str]:
        return f"{self.field}: {self.nb}", self.en


class BreachNotFound(BreachError):
    http_status = 404


class Breach(BaseModel):
    """A breach as the register keeps it. It is also what the API returns (with its clock),
    so the fields are written once, here."""

    model_config = ConfigDict(frozen=True)

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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deadline(self) -> datetime:
        """72 clock hours from discovery (art. 33(1))."""
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


def parse_time(field: str, text: str | None) -> datetime | None:
    """A time as a form or a command line gives it (ISO 8601, ``2026-12-01T08:30``; UTC
    unless it says otherwise); None for an empty one."""
    if text is None or not text.strip():
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BreachError(
            field,
            f"{text.strip()!r} er ikke et tidspunkt (skriv ÅÅÅÅ-MM-DDTtt:mm)",
            f"{text.strip()!r} is not a time (write YYYY-MM-DDThh:mm)",
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _required(field: str, value: str | None, nb: str, en: str) -> str:
    if value is None or not value.strip():
        raise BreachError(field, nb, en)
    return value.strip()


def register(
    conn: Connection,
    policy: Policy,
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
    """Enter a breach in the register; its clock starts at ``discovered_at``. The
    ``categories`` are keys of ``policy``'s categories or above them in the tree
    (``user.contact``); any other is refused, naming it."""
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
    unknown = [k for k in categories if not any(covers(k, c) for c in policy.categories)]
    if unknown:
        raise BreachError(
            "categories",
            f"policyen har ingen kategori {unknown[0]!r}",
            f"the policy has no category {unknown[0]!r}",
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
