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
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Engine,
    Row,
    bindparam,
    func,
    literal_column,
    null,
    select,
    union_all,
)

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
from alarmvern.store.tables.columns import as_utc

Pair = tuple[str, str]
# The fields of a triggering signal shown beside its meaning: one more is one more name here.
SIGNAL_FIELDS: tuple[str, ...] = ("area", "zone")
SIGNAL_LIMIT = 20
RECORD_LIMIT = 200
# Past this many log entries since an incident's sums were kept, they are summed anew
# (by its purpose) rather than caught up entry by entry.
RECORD_CATCH_UP = 20_000
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


# The class as a heading or a column shows it (the alarm log's "what").
EVENT_CLASS: dict[EventClass, Pair] = {
    cls: (nb.capitalize(), en.capitalize()) for cls, (nb, en) in SIGNAL_CLASS.items()
}
# An incident kind is a signal's kind, or its class where the code names no kind.
CLASS_KIND: dict[str, Pair] = {cls.value: words for cls, words in EVENT_CLASS.items()}


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
class Look:
    """One line of who saw what: a person, an action and its object, how often, when."""

    actor: str
    action: str
    subject: str | None
    times: int
    first_at: datetime
    last_at: datetime
    last_seq: int


LookKey = tuple[str, str, str | None]


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
    record: Sequence[Look] = ()

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
        view, withheld = _read(conn, policy, operator, incident_id, now, record=record)
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


def read_as_staff(engine: Engine, actor: str, incident_id: int) -> tuple[Row[Any], list[Any]]:
    """The incident and its steps as the DPO supervises them (never the site's people): the
    look is audited (``staff.view``), durably before the answer is shown."""
    append_alone(
        engine, actor=actor, action="staff.view", subject=f"incident:{incident_id}",
        purpose="supervision",
    )  # fmt: skip
    with reading(engine) as conn:
        row = conn.execute(_INCIDENT, {"incident_id": incident_id}).first()
        if row is None:
            raise IncidentMissing(
                f"hendelse {incident_id} finnes ikke", f"incident {incident_id} does not exist"
            )
        return row, list(steps_of(conn, incident_id))


def read_changes(
    engine: Engine, policy: Policy, operator: str, incident_id: int, now: datetime | None = None
) -> IncidentView:
    """What changes on an incident's page while an operator has it open: its facts, who has
    it, its signals, the plan's progress and the steps, from one snapshot with the
    justification checked as for the page.

    Not audited: it reads none of the site's people (contacts, presence, images) and
    returns neither the customer nor the address (the incident's row, read as for the
    page, holds them; they are left out). The operator's look at those, when they opened
    the page, is the one audited view; a live refresh is no new look.
    """
    now = now or datetime.now(UTC)
    with reading(engine) as conn:
        view, _withheld = _read(conn, policy, operator, incident_id, now, site=False)
    return view


# The page's statements, built once (building a statement and its cache key costs more
# than running it): a dozen queries in one snapshot, none of them twice.
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
# Who saw what: each group's count, first and last look, and its last entry (for the
# order). The whole purpose once, then only the entries since (see :func:`who_saw_what`).
_LOOKS = (
    audit_log.c.actor,
    audit_log.c.action,
    audit_log.c.subject,
    func.count().label("times"),
    func.min(audit_log.c.at).label("first_at"),
    func.max(audit_log.c.at).label("last_at"),
    func.max(audit_log.c.seq).label("last_seq"),
)
_GROUPS = (audit_log.c.actor, audit_log.c.action, audit_log.c.subject)
# With the sums, in the same statement, the head of the whole log as the snapshot sees it
# (the row whose actor is NULL; every entry has one): the sums are kept as of that head.
_HEAD_ROW = select(
    *(null() for _ in range(3)), literal_column("0"), null(), null(), func.max(audit_log.c.seq)
)  # fmt: skip
_RECORD: CompoundSelect[Any] = union_all(
    select(*_LOOKS).where(audit_log.c.purpose == bindparam("purpose")).group_by(*_GROUPS),
    _HEAD_ROW,
)
# The entries after ``after`` (at most RECORD_CATCH_UP of them), found by their sequence
# number (the log's newest few), not by purpose: ``purpose || ''`` keeps the planner off
# the purpose index, which would sum every look at the incident again.
_RECORD_SINCE: CompoundSelect[Any] = union_all(
    select(*_LOOKS)
    .where(
        audit_log.c.seq > bindparam("after"),
        audit_log.c.seq <= bindparam("upto"),
        audit_log.c.purpose.concat("") == bindparam("purpose"),
    )
    .group_by(*_GROUPS),
    _HEAD_ROW,
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
    conn: Connection,
    policy: Policy,
    operator: str,
    incident_id: int,
    now: datetime,
    *,
    record: bool = False,
    site: bool = True,
) -> tuple[IncidentView, int]:
    """The view from the caller's snapshot, and how many contacts were withheld; without
    ``site``, none of the site's people, the customer or the address are read."""
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
    steps = steps_of(conn, incident_id)
    view = dataclasses.replace(
        base,
        cause=row.cause,
        police_case_no=row.police_case_no,
        site_id=row.site_id,
        account_id=row.account_id,
        signals=_signals(conn, row, now),
        plan=action_plans.plan_for(conn, int(row.site_id), row.kind),
        done=action_plans.progress_of(steps),  # from the steps read, not a second query
        steps=steps,
    )
    if not site:
        return view, 0
    seen = operators.read_view(conn, policy, int(row.site_id), justified, row.account_id)
    address = Address(row.street, row.postcode, row.city, row.org_name or row.holder_name)
    view = dataclasses.replace(
        view,
        address=address,
        site=seen,
        record=who_saw_what(conn, incident_id) if record else (),
    )
    return view, seen.withheld


def steps_of(conn: Connection, incident_id: int) -> Sequence[Row[Any]]:
    return conn.execute(_STEPS, {"incident_id": incident_id}).all()


def who_saw_what(conn: Connection, incident_id: int) -> list[Look]:
    """The looks taken for the incident, one line per person, action and object, the
    latest first (at most ``RECORD_LIMIT`` lines), as of the caller's snapshot.

    An operator keeps an incident's page open and reloads it: a line per look would bury
    who else looked under their own reloads. The audit log keeps every look, and
    ``/api/v1/incidents/{id}/views`` lists them one by one.

    Summing every look on every view grew with the looks (an incident seen 5,000 times
    cost more to show than all the rest of its page). The log is append-only and a
    snapshot sees a prefix of it (entries are numbered and committed in order under the
    chain's lock), so this process keeps each incident's sums with the last entry number
    they include, and adds only the entries after it.
    """
    purpose = f"incident:{incident_id}"
    kept = _kept_for(conn.engine)
    known = kept.get(purpose)
    if known is not None:
        upto = known.head + RECORD_CATCH_UP
        head, rows = _record(conn, _RECORD_SINCE, purpose=purpose, after=known.head, upto=upto)
        if known.head <= head <= upto:
            groups = add_looks(known.groups, rows)
            kept.put(purpose, _Sums(head, groups))
            return _latest(groups)
    # First seen, too far behind, or this snapshot is older than what is kept.
    head, rows = _record(conn, _RECORD, purpose=purpose)
    groups = add_looks({}, rows)
    kept.put(purpose, _Sums(head, groups), replace=True)
    return _latest(groups)


def _record(conn: Connection, query: CompoundSelect[Any], **params: Any) -> tuple[int, list[Any]]:
    """The log's head and the summed looks, from one of the statements above."""
    rows = conn.execute(query, params).all()
    head = next((r.last_seq for r in rows if r.actor is None), None)
    return int(head or 0), [r for r in rows if r.actor is not None]


def _latest(groups: Mapping[LookKey, Look]) -> list[Look]:
    return sorted(groups.values(), key=lambda look: -look.last_seq)[:RECORD_LIMIT]


def add_looks(groups: Mapping[LookKey, Look], rows: Sequence[Any]) -> dict[LookKey, Look]:
    """``groups`` with the summed ``rows`` (actor, action, subject, times, first_at,
    last_at, last_seq) added in: a new dict, ``groups`` unchanged."""
    merged = dict(groups)
    for r in rows:
        key = (r.actor, r.action, r.subject)
        first, last = as_utc(r.first_at), as_utc(r.last_at)
        had = merged.get(key)
        if had is not None:
            first, last = min(first, had.first_at), max(last, had.last_at)
        times = int(r.times) + (had.times if had else 0)
        seq = max(int(r.last_seq), had.last_seq if had else 0)
        merged[key] = Look(r.actor, r.action, r.subject, times, first, last, seq)
    return merged


@dataclass(frozen=True)
class _Sums:
    head: int  # the last entry of the whole log these sums include
    groups: dict[LookKey, Look]


class _Kept:
    """The sums of the incidents looked at lately in this process, the least recent
    dropped past ``size``."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._sums: OrderedDict[str, _Sums] = OrderedDict()

    def get(self, purpose: str) -> _Sums | None:
        with self._lock:
            found = self._sums.get(purpose)
            if found is not None:
                self._sums.move_to_end(purpose)
            return found

    def put(self, purpose: str, sums: _Sums, *, replace: bool = False) -> None:
        """Keep ``sums``, unless newer ones are kept already; ``replace``: whatever is kept
        (sums read whole are right as of their snapshot, even an older one)."""
        with self._lock:
            had = self._sums.get(purpose)
            if had is not None and had.head > sums.head and not replace:
                return  # another thread's sums are newer
            self._sums[purpose] = sums
            self._sums.move_to_end(purpose)
            while len(self._sums) > self._size:
                self._sums.popitem(last=False)


# Per engine: each database has its own log (tests open many in one process).
_RECORDS: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()
_RECORDS_LOCK = threading.Lock()


def _kept_for(engine: Engine) -> _Kept:
    with _RECORDS_LOCK:
        kept = _RECORDS.get(engine)
        if kept is None:
            kept = _RECORDS[engine] = _Kept(512)
        return kept


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
