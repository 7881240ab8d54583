"""One incident as its page and the API show it, read from one snapshot.

Before an operator takes the incident: what the queue shows (kind, status, times,
municipality), nothing of the customer, and no refusal: looking at the queue's own facts
is not an access to anyone's data. Once they hold it (or within the policy's grace after it
closed): the address, the customer, the triggering signals with their meaning, the alarm
contacts, presence, images, the action plan with the steps done, and the steps so far.
That look is audited once, after the snapshot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, func, select

from alarmvern.audit.group import append_alone
from alarmvern.intake import action_plans, operators
from alarmvern.intake.incidents import IncidentMissing
from alarmvern.intake.operators import SiteView
from alarmvern.intake.queue import assigned
from alarmvern.policy.model import Policy
from alarmvern.sia.protocol.meaning import EventClass, Meaning, stored_meaning
from alarmvern.store.engine import reading
from alarmvern.store.tables import (
    alarm_events,
    audit_log,
    customer_accounts,
    incident_steps,
    incidents,
    persons,
    sites,
)
from alarmvern.store.tables._columns import as_utc

Pair = tuple[str, str]
# The fields of a triggering signal shown beside its meaning: one more is one more name here.
SIGNAL_FIELDS: tuple[str, ...] = ("area", "zone")
SIGNAL_LIMIT = 20
RECORD_LIMIT = 200
BEFORE_OPEN = timedelta(minutes=2)  # a signal a little before the incident opened belongs to it

SIGNAL_CLASS: dict[EventClass, Pair] = {
    EventClass.ALARM: ("alarm", "alarm"),
    EventClass.TROUBLE: ("feil", "trouble"),
    EventClass.RESTORE: ("gjenopprettet", "restored"),
    EventClass.ARM: ("påslått", "armed"),
    EventClass.DISARM: ("avslått", "disarmed"),
    EventClass.TEST: ("test", "test"),
    EventClass.OTHER: ("annet", "other"),
}
SIGNAL_KIND: dict[str, Pair] = {
    "burglary": ("Innbrudd", "Burglary"),
    "fire": ("Brann", "Fire"),
    "smoke": ("Røyk", "Smoke"),
    "duress": ("Tvangsalarm", "Duress"),
    "gas": ("Gass", "Gas"),
    "freeze": ("Frost", "Freeze"),
    "water": ("Vannlekkasje", "Water leak"),
    "panic": ("Panikk", "Panic"),
    "holdup": ("Overfall", "Hold-up"),
    "medical": ("Helsealarm", "Medical"),
    "tamper": ("Sabotasje", "Tamper"),
    "sensor": ("Detektor", "Sensor"),
    "bypass": ("Utkobling", "Bypass"),
    "schedule": ("Tidsplan", "Schedule"),
    "power": ("Strøm", "Power"),
    "battery": ("Batteri", "Battery"),
    "communication": ("Kommunikasjon", "Communication"),
    "system": ("System", "System"),
    "access": ("Adgang", "Access"),
    "other": ("Annen alarm", "Other alarm"),
    "supervision": ("Manglende livstegn fra panelet", "Missed panel check-in"),
}


def meaning_words(meaning: Meaning) -> Pair:
    """What a signal means, Norwegian first: "Brann: alarm", "Innbrudd: gjenopprettet"."""
    nb_class, en_class = SIGNAL_CLASS[meaning.event_class]
    kind = SIGNAL_KIND.get(meaning.kind or "")
    if kind is None:
        return nb_class.capitalize(), meaning.description
    return f"{kind[0]}: {nb_class}", f"{kind[1]}: {en_class}"


# An incident kind is a signal's kind, or its class where the code names no kind.
CLASS_KIND: dict[str, Pair] = {
    cls.value: (nb.capitalize(), en.capitalize()) for cls, (nb, en) in SIGNAL_CLASS.items()
}


def kind_words(kind: str) -> Pair:
    """An incident kind in words, Norwegian first: "Brann", "Teknisk feil: batteri"; never
    the stored key (an unknown one reads "Annen hendelse")."""
    if kind.startswith("technical"):
        key = kind.partition(":")[2]
        detail = SIGNAL_KIND.get(key)
        if detail is None:
            return "Teknisk feil", "Technical fault"
        return f"Teknisk feil: {detail[0].lower()}", f"Technical fault: {detail[1].lower()}"
    return SIGNAL_KIND.get(kind) or CLASS_KIND.get(kind) or ("Annen hendelse", "Other incident")


@dataclass(frozen=True)
class Signal:
    occurred_at: datetime
    code: str
    meaning: Pair
    fields: dict[str, Any]


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str | None
    customer: str | None


@dataclass(frozen=True)
class IncidentView:
    id: int
    kind: str
    status: str
    opened_at: datetime
    closed_at: datetime | None
    municipality: str | None
    operators: list[str]
    sees: bool  # holds it, or held it and it closed less than the grace ago
    holds: bool  # may record steps: holds it and it is open
    cause: str | None = None  # these only where ``sees``
    police_case_no: str | None = None
    site_id: int | None = None
    account_id: int | None = None
    address: Address | None = None
    site: SiteView | None = None
    signals: list[Signal] = field(default_factory=list)
    plan: action_plans.Plan | None = None
    done: dict[int, datetime] = field(default_factory=dict)
    steps: Sequence[Row[Any]] = ()
    record: Sequence[Row[Any]] = ()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def read(
    engine: Engine,
    policy: Policy,
    operator: str,
    incident_id: int,
    now: datetime | None = None,
    *,
    record: bool = False,
) -> IncidentView:
    """The incident as ``operator`` may see it now; the look at the site is audited."""
    now = now or datetime.now(UTC)
    with reading(engine) as conn:
        view, withheld = _read(conn, policy, operator, incident_id, now, record)
    if view.site is not None:
        append_alone(
            engine,
            actor=operator,
            action="operator.view",
            subject=f"site:{view.site.site_id}",
            purpose=f"incident:{view.site.incident_id}",
            details={
                "contacts": len(view.site.contacts),
                "media": len(view.site.media),
                "presence": len(view.site.presence),
                "withheld_restricted": withheld,
            },
            at=now,
        )
    return view


# The page's statements, built once (building a statement and its cache key costs more
# than running it): ten queries in one snapshot, none of them twice.
_INCIDENT = (
    select(incidents, sites.c.municipality, sites.c.street, sites.c.postcode, sites.c.city,
           customer_accounts.c.org_name, persons.c.name.label("holder_name"))
    .outerjoin(sites, sites.c.id == incidents.c.site_id)
    .outerjoin(customer_accounts, customer_accounts.c.id == incidents.c.account_id)
    .outerjoin(persons, persons.c.id == customer_accounts.c.holder_person_id)
    .where(incidents.c.id == bindparam("incident_id"))
)  # fmt: skip
_STEPS = (
    select(incident_steps)
    .where(incident_steps.c.incident_id == bindparam("incident_id"))
    .order_by(incident_steps.c.at, incident_steps.c.id)
)
_RECORD = (
    select(
        audit_log.c.actor,
        audit_log.c.action,
        audit_log.c.subject,
        func.count().label("times"),
        func.min(audit_log.c.at).label("first_at"),
        func.max(audit_log.c.at).label("last_at"),
    )
    .where(audit_log.c.purpose == bindparam("purpose"))
    .group_by(audit_log.c.actor, audit_log.c.action, audit_log.c.subject)
    .order_by(func.max(audit_log.c.seq).desc())
    .limit(RECORD_LIMIT)
)
_SIGNALS = (
    select(alarm_events.c.occurred_at, alarm_events.c.protocol, alarm_events.c.code,
           alarm_events.c.qualifier, *(alarm_events.c[f] for f in SIGNAL_FIELDS))
    .where(
        # The account and time first: the (account_id, occurred_at) index finds the few
        # signals of the incident's minutes, not every signal the site ever sent.
        alarm_events.c.account_id == bindparam("account_id"),
        alarm_events.c.site_id == bindparam("site_id"),
        alarm_events.c.occurred_at >= bindparam("since"),
        alarm_events.c.occurred_at <= bindparam("until"),
    )
    .order_by(alarm_events.c.occurred_at, alarm_events.c.id)
    .limit(SIGNAL_LIMIT * 5)
)  # fmt: skip


def _read(
    conn: Connection, policy: Policy, operator: str, incident_id: int, now: datetime, record: bool
) -> tuple[IncidentView, int]:
    row = conn.execute(_INCIDENT, {"incident_id": incident_id}).first()
    if row is None:
        raise IncidentMissing(
            f"hendelse {incident_id} finnes ikke", f"incident {incident_id} does not exist"
        )
    names = assigned(conn, [incident_id])[incident_id]
    justified = (
        operators.justifying(conn, policy, operator, row.site_id, now) if row.site_id else []
    )
    sees = incident_id in justified
    base = IncidentView(
        id=incident_id, kind=row.kind, status=row.status, opened_at=as_utc(row.opened_at),
        closed_at=None if row.closed_at is None else as_utc(row.closed_at),
        municipality=row.municipality, operators=names, sees=sees,
        holds=row.closed_at is None and operator in names,
    )  # fmt: skip
    if not sees:
        return base, 0
    site = operators.read_view(conn, policy, int(row.site_id), justified, row.account_id)
    steps = steps_of(conn, incident_id)
    view = dataclasses.replace(
        base,
        cause=row.cause,
        police_case_no=row.police_case_no,
        site_id=row.site_id,
        account_id=row.account_id,
        address=Address(row.street, row.postcode, row.city, row.org_name or row.holder_name),
        site=site,
        signals=_signals(conn, row, now),
        plan=action_plans.plan_for(conn, int(row.site_id), row.kind),
        done=action_plans.progress_of(steps),  # from the steps read, not a second query
        steps=steps,
        record=who_saw_what(conn, incident_id) if record else (),
    )
    return view, site.withheld


def steps_of(conn: Connection, incident_id: int) -> Sequence[Row[Any]]:
    return conn.execute(_STEPS, {"incident_id": incident_id}).all()


def who_saw_what(conn: Connection, incident_id: int) -> Sequence[Row[Any]]:
    """The looks taken for the incident, one line per person, action and object.

    An operator keeps an incident's page open and reloads it: a line per look would bury
    who else looked under their own reloads. The audit log keeps every look, and
    ``/api/v1/incidents/{id}/views`` lists them one by one.
    """
    return conn.execute(_RECORD, {"purpose": f"incident:{incident_id}"}).all()


def _signals(conn: Connection, incident: Row[Any], now: datetime) -> list[Signal]:
    """The site's alarm, trouble and restore signals while the incident was open."""
    rows = conn.execute(
        _SIGNALS,
        {
            "account_id": incident.account_id,
            "site_id": incident.site_id,
            "since": as_utc(incident.opened_at) - BEFORE_OPEN,
            "until": incident.closed_at or now,
        },
    ).all()
    found = []
    for r in rows:
        meaning = stored_meaning(r.protocol, r.code, r.qualifier)
        if meaning.event_class in (EventClass.ALARM, EventClass.TROUBLE, EventClass.RESTORE):
            fields = {f: getattr(r, f) for f in SIGNAL_FIELDS}
            found.append(Signal(as_utc(r.occurred_at), r.code, meaning_words(meaning), fields))
    return found[:SIGNAL_LIMIT]
