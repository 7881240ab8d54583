"""Action plans (instrukser): per site and alarm kind, the ordered steps an operator follows,
set by customer service, walked on the incident page with each step recorded and timed.

A site without a plan of its own for a kind gets the standard plan for that kind, marked as
such. A step is recorded once per incident, by the operator who holds it, while it is open.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.intake import incidents as lifecycle
from alarmvern.intake.queue import family_of
from alarmvern.store.tables import action_plans, incident_steps, sites
from alarmvern.store.tables.columns import as_utc

Pair = tuple[str, str]
PLAN_STEP = "plan_step"
MAX_STEPS = 20
MAX_MINUTES = 240
MAX_NOTE = 200

# The kinds a plan is set for: the queue's priority families, worst first.
KINDS: dict[str, Pair] = {
    "fire": ("Brann", "Fire"),
    "panic": ("Overfall/panikk", "Panic/hold-up"),
    "medical": ("Helsealarm", "Medical"),
    "burglary": ("Innbrudd", "Burglary"),
    "other": (
        "Annen alarm (vann, gass, frost, sabotasje)",
        "Other alarm (water, gas, frost, tamper)",
    ),
    "technical": ("Teknisk feil", "Technical fault"),
}

ACTIONS: dict[str, Pair] = {
    "check_images": ("Se verifikasjonsbildene", "Check the verification images"),
    "call_contacts": ("Ring alarmkontaktene i rekkefølge", "Call the alarm contacts in order"),
    "call_customer": ("Ring kunden", "Call the customer"),
    "send_guard": ("Send vekter", "Send a guard"),
    "call_police": ("Varsle politiet (112)", "Call the police (112)"),
    "call_fire_service": ("Varsle brannvesenet (110)", "Call the fire service (110)"),
    "call_ambulance": ("Varsle AMK (113)", "Call the ambulance service (113)"),
    "note": ("Merknad", "Note"),
}


class PlanError(AlarmvernError):
    """A plan, or a plan step, that cannot be set or recorded as given; nothing was changed."""

    http_status = 422


class StepAlreadyDone(lifecycle.IncidentError):
    """The plan step was recorded on this incident already."""


@dataclass(frozen=True)
class Step:
    action: str
    minutes: int | None = None  # "after N minutes without an answer"
    note: str | None = None

    def words(self, lang: str) -> str:
        nb, en = ACTIONS[self.action]
        text = nb if lang == "nb" else en
        if self.minutes is not None:
            text += (
                f" etter {self.minutes} minutter uten svar"
                if lang == "nb"
                else f" after {self.minutes} minutes without an answer"
            )
        return f"{text}: {self.note}" if self.note else text

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action, "minutes": self.minutes, "note": self.note}


@dataclass(frozen=True)
class Plan:
    site_id: int
    kind: str
    steps: tuple[Step, ...]
    standard: bool  # the standard plan for the kind: the site has none of its own
    set_by: str | None = None
    set_at: datetime | None = None


STANDARD: dict[str, tuple[Step, ...]] = {
    "fire": (Step("call_fire_service"), Step("call_contacts"), Step("send_guard")),
    "panic": (Step("call_police"), Step("call_contacts")),
    "medical": (Step("call_ambulance"), Step("call_contacts")),
    "burglary": (
        Step("check_images"),
        Step("call_contacts"),
        Step("send_guard"),
        Step("call_police", minutes=5),
    ),
    "other": (Step("call_contacts"), Step("send_guard")),
    "technical": (Step("call_customer"),),
}


def family(incident_kind: str) -> str:
    """The plan kind of an incident kind: its family in the queue."""
    return family_of(incident_kind)


def parse_steps(raw: Iterable[Mapping[str, Any] | str]) -> tuple[Step, ...]:
    """Steps from JSON objects or the CLI's ``action[:minutes][:note]``; refuses (naming the
    step) an unknown action, minutes out of range, a long note, none or too many."""
    steps = []
    for number, item in enumerate(raw, start=1):
        given = _split(item) if isinstance(item, str) else dict(item)
        steps.append(_step(number, given))
    if not steps or len(steps) > MAX_STEPS:
        raise PlanError(
            f"en instruks har 1 til {MAX_STEPS} steg, ikke {len(steps)}",
            f"a plan has 1 to {MAX_STEPS} steps, not {len(steps)}",
        )
    return tuple(steps)


def set_plan(
    conn: Connection,
    *,
    site_id: int,
    kind: str,
    steps: Iterable[Mapping[str, Any] | str | Step],
    actor: str,
    at: datetime | None = None,
) -> Plan:
    """Set (or replace) the site's plan for ``kind``; audited."""
    at = at or datetime.now(UTC)
    if kind not in KINDS:
        raise PlanError(
            f"ukjent alarmtype {kind!r}; velg en av {', '.join(KINDS)}",
            f"unknown alarm kind {kind!r}; choose one of {', '.join(KINDS)}",
        )
    given = list(steps)
    parsed = tuple(s for s in given if isinstance(s, Step)) or parse_steps(
        s for s in given if not isinstance(s, Step)
    )
    account = conn.execute(select(sites.c.account_id).where(sites.c.id == site_id)).scalar()
    if account is None:
        raise PlanError(f"anlegg {site_id} finnes ikke", f"site {site_id} does not exist")
    conn.execute(
        delete(action_plans).where(action_plans.c.site_id == site_id, action_plans.c.kind == kind)
    )
    conn.execute(
        action_plans.insert().values(
            account_id=account,
            site_id=site_id,
            kind=kind,
            steps=[s.as_json() for s in parsed],
            set_by=actor,
            set_at=at,
        )
    )
    audit.append(
        conn, actor=actor, action="plan.set", subject=f"site:{site_id}",
        details={"kind": kind, "steps": len(parsed)}, at=at,
    )  # fmt: skip
    return Plan(site_id, kind, parsed, standard=False, set_by=actor, set_at=at)


def plans_of(conn: Connection, site_id: int) -> list[Plan]:
    """The site's plan for every kind, its own or the standard one, worst kind first."""
    own = {
        r.kind: r
        for r in conn.execute(select(action_plans).where(action_plans.c.site_id == site_id))
    }
    return [_plan(site_id, kind, own.get(kind)) for kind in KINDS]


_PLAN = select(action_plans).where(
    action_plans.c.site_id == bindparam("site_id"), action_plans.c.kind == bindparam("kind")
)  # built once: every incident view runs it
_PROGRESS = select(incident_steps.c.details, incident_steps.c.at).where(
    incident_steps.c.incident_id == bindparam("incident_id"), incident_steps.c.step == PLAN_STEP
)


def plan_for(conn: Connection, site_id: int, kind: str) -> Plan:
    """The plan to follow at the site for an incident of ``kind`` (an incident kind or a
    plan kind)."""
    wanted = kind if kind in KINDS else family(kind)
    row = conn.execute(_PLAN, {"site_id": site_id, "kind": wanted}).first()
    return _plan(site_id, wanted, row)


def progress(conn: Connection, incident_id: int) -> dict[int, datetime]:
    """The plan steps recorded on the incident: step number (from 1) to when."""
    return progress_of(conn.execute(_PROGRESS, {"incident_id": incident_id}))


def progress_of(steps: Iterable[Any]) -> dict[int, datetime]:
    """The plan steps among an incident's steps (rows with ``step``, ``details``, ``at``, or
    only plan steps): step number (from 1) to when. For a page that has read the steps."""
    return {
        int((r.details or {})["index"]): as_utc(r.at)
        for r in steps
        if getattr(r, "step", PLAN_STEP) == PLAN_STEP
    }


def record_step(
    conn: Connection, incident_id: int, number: int, actor: str, at: datetime | None = None
) -> datetime:
    """Record plan step ``number`` (from 1) as done now by the incident's holder.

    Refused, changing nothing: an incident the actor does not hold (403), a closed one (409),
    a step done already (409), a number the plan does not have (422)."""
    incident = lifecycle.for_step(conn, incident_id, PLAN_STEP, holder=actor)
    if incident.site_id is None:
        raise PlanError(
            f"hendelse {incident_id} har ikke noe anlegg", f"incident {incident_id} has no site"
        )
    plan = plan_for(conn, int(incident.site_id), incident.kind)
    if not 1 <= number <= len(plan.steps):
        raise PlanError(
            f"instruksen har steg 1 til {len(plan.steps)}, ikke {number}",
            f"the plan has steps 1 to {len(plan.steps)}, not {number}",
        )
    done = progress(conn, incident_id).get(number)
    if done is not None:
        raise StepAlreadyDone(
            f"steg {number} ble registrert {done:%H:%M:%S} UTC allerede; ingenting er endret",
            f"step {number} was recorded at {done:%H:%M:%S} UTC already; nothing was changed",
        )
    step = plan.steps[number - 1]
    details = {"index": number, "action": step.action, "kind": plan.kind}
    return lifecycle.record(conn, incident, PLAN_STEP, actor, details, at)


def _plan(site_id: int, kind: str, row: Any) -> Plan:
    if row is None:
        return Plan(site_id, kind, STANDARD[kind], standard=True)
    steps = tuple(Step(s["action"], s.get("minutes"), s.get("note")) for s in row.steps)
    return Plan(site_id, kind, steps, standard=False, set_by=row.set_by, set_at=as_utc(row.set_at))


def _split(text: str) -> dict[str, Any]:
    action, _, rest = text.partition(":")
    minutes, _, note = rest.partition(":")
    if minutes and not minutes.strip().isdigit():  # "note:text" or "call_police:text"
        minutes, note = "", rest
    return {
        "action": action.strip(),
        "minutes": minutes.strip() or None,
        "note": note.strip() or None,
    }


def _step(number: int, given: Mapping[str, Any]) -> Step:
    action = str(given.get("action") or "")
    if action not in ACTIONS:
        raise PlanError(
            f"steg {number}: ukjent handling {action!r}; velg en av {', '.join(ACTIONS)}",
            f"step {number}: unknown action {action!r}; choose one of {', '.join(ACTIONS)}",
        )
    minutes = given.get("minutes")
    if minutes is not None:
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            minutes = -1
        if not 0 <= minutes <= MAX_MINUTES:
            raise PlanError(
                f"steg {number}: minutter må være 0 til {MAX_MINUTES}",
                f"step {number}: minutes must be 0 to {MAX_MINUTES}",
            )
    note = given.get("note")
    note = str(note).strip() if note is not None else None
    if note and len(note) > MAX_NOTE:
        raise PlanError(
            f"steg {number}: merknaden er lengre enn {MAX_NOTE} tegn",
            f"step {number}: the note is longer than {MAX_NOTE} characters",
        )
    if action == "note" and not note:
        raise PlanError(
            f"steg {number}: en merknad trenger tekst", f"step {number}: a note needs its text"
        )
    return Step(action, minutes, note or None)
