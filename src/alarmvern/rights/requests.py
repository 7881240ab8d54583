"""The request itself: who asked for what, how they were identified, and when it is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Verification
from alarmvern.rights import deadlines
from alarmvern.rights.words import STATUS, STEP
from alarmvern.store.tables import persons, rights_requests
from alarmvern.store.tables.columns import as_utc

OSLO = ZoneInfo("Europe/Oslo")


class Kind(StrEnum):
    access = "access"  # art. 15
    portability = "portability"  # art. 20
    rectification = "rectification"  # art. 16
    erasure = "erasure"  # art. 17
    restriction = "restriction"  # art. 18
    objection = "objection"  # art. 21
    withdrawal = "withdrawal"  # art. 7(3)


class Channel(StrEnum):
    mine_sider = "mine_sider"
    email = "email"
    letter = "letter"
    phone = "phone"
    in_person = "in_person"


class Status(StrEnum):
    open = "open"
    awaiting_identity = "identity_check"  # the clock is paused (the column holds 16)
    done = "done"
    refused = "refused"


CLOSED = (Status.done, Status.refused)


class RequestError(AlarmvernError):
    """A request cannot take this step; the message says why and what to do."""


class RequestMissing(RequestError):
    """No rights request has that id."""

    http_status = 404


@dataclass
class RightsRequest:
    id: int
    person_id: int | None
    kind: Kind
    channel: Channel
    received_at: datetime
    verification: str | None
    verified_at: datetime | None
    due_on: date
    extended_to: date | None
    extension_reason: str | None
    status: Status
    outcome: str | None
    closed_at: datetime | None
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on

    @property
    def received_on(self) -> date:
        return received_date(self.received_at)

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def overdue(self, today: date) -> bool:
        return self.is_open and today > self.deadline

    @property
    def text(self) -> str | None:
        """What the person wrote when they asked, if anything."""
        received = next((s for s in self.steps if s["step"] == "received"), None)
        details = (received or {}).get("details") or {}
        text = details.get("text")
        return str(text) if text else None

    @property
    def target(self) -> str | None:
        """What an objection is to, as the person chose it (``marketing`` or an activity)."""
        received = next((s for s in self.steps if s["step"] == "received"), None)
        found = ((received or {}).get("details") or {}).get("target")
        return str(found) if found else None

    def pending(self) -> list[dict[str, Any]]:
        return [s for s in self.steps if s.get("status") == "pending"]

    def step(self, name: str) -> dict[str, Any] | None:
        return next((s for s in reversed(self.steps) if s["step"] == name), None)

    def pauses(self) -> list[tuple[date, date | None]]:
        return [
            (date.fromisoformat(s["from"]), date.fromisoformat(s["to"]) if s.get("to") else None)
            for s in self.steps
            if s["step"] == "identity_check" and "from" in s
        ]


def received_date(at: datetime) -> date:
    """The day a request arrived, on the Norwegian calendar (the deadline counts from it)."""
    return as_utc(at).astimezone(OSLO).date()


def _from_row(row: Row[Any]) -> RightsRequest:
    values = dict(row._mapping)
    for column in ("received_at", "verified_at", "closed_at"):
        if values[column] is not None:
            values[column] = as_utc(values[column])
    values["kind"], values["channel"] = Kind(values["kind"]), Channel(values["channel"])
    values["status"] = Status(values["status"])
    values["steps"] = list(values["steps"] or [])
    return RightsRequest(**values)


def get(conn: Connection, request_id: int) -> RightsRequest:
    row = conn.execute(select(rights_requests).where(rights_requests.c.id == request_id)).first()
    if row is None:
        raise RequestMissing(
            f"fant ingen forespørsel {request_id}; se listen over forespørsler",
            f"no rights request {request_id}; see the list of requests",
            field="request",
            code="request_missing",
        )
    return _from_row(row)


def list_requests(conn: Connection, *, include_closed: bool = False) -> list[RightsRequest]:
    """Requests by deadline, the overdue (earliest deadline) first."""
    query = select(rights_requests)
    if not include_closed:
        query = query.where(rights_requests.c.status.not_in([s.value for s in CLOSED]))
    found = [_from_row(r) for r in conn.execute(query)]
    return sorted(found, key=lambda r: (not r.is_open, r.deadline, r.id))


def for_person(conn: Connection, person_id: int) -> list[RightsRequest]:
    rows = conn.execute(select(rights_requests).where(rights_requests.c.person_id == person_id))
    return sorted((_from_row(r) for r in rows), key=lambda r: r.received_at, reverse=True)


def open_request(
    conn: Connection,
    *,
    kind: Kind,
    channel: Channel,
    person_id: int | None,
    actor: str,
    received_at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> RightsRequest:
    """Register a request; its deadline runs from the day it arrived."""
    received_at = as_utc(received_at or datetime.now(UTC))
    if person_id is not None:
        _require_person(conn, person_id)
    steps: list[dict[str, Any]] = [
        {"step": "received", "status": "done", "at": received_at.isoformat()}
    ]
    if details:
        steps[0]["details"] = details
    request_id = conn.execute(
        rights_requests.insert().values(
            person_id=person_id,
            kind=kind.value,
            channel=channel.value,
            received_at=received_at,
            due_on=deadlines.due_date(received_date(received_at)),
            status=Status.open.value,
            steps=steps,
        )
    ).inserted_primary_key
    assert request_id is not None
    request = get(conn, int(request_id[0]))
    _audit(conn, request, actor, "rights.received", {"kind": kind.value, "channel": channel})
    return request


def check_new(
    conn: Connection, person_id: int, kind: Kind, text: str | None, target: str | None = None
) -> None:
    """What a person asking for themselves must give, and may not ask twice: a correction
    says what is wrong; an identical request (kind, words and, for an objection, what it is
    to) still open is not opened again."""
    if kind is Kind.rectification and not (text or "").strip():
        raise RequestError(
            "skriv hva som er feil og hva som er riktig",
            "write what is wrong and what is right",
            field="text",
            code="text_missing",
        )
    for other in for_person(conn, person_id):
        same = (other.text or "") == (text or "") and (other.target or "") == (target or "")
        if other.is_open and other.kind is kind and same:
            raise RequestError(
                f"du har allerede en lik forespørsel under behandling (nr. {other.id})",
                f"you already have an identical request in progress (no. {other.id})",
                field="kind",
                code="duplicate",
            )


def _require_person(conn: Connection, person_id: int) -> None:
    if conn.execute(select(persons.c.id).where(persons.c.id == person_id)).first() is None:
        raise RequestError(
            f"fant ingen person {person_id}",
            f"no person {person_id}",
            field="person",
            code="person_missing",
        )


def confirm_person(conn: Connection, request_id: int, person_id: int, *, actor: str) -> None:
    """Staff confirm which person a request concerns (after ``rights find``)."""
    request = _open(conn, request_id)
    _require_person(conn, person_id)
    request.person_id = person_id
    _save(conn, request, person_id=person_id)
    add_step(conn, request, "person_confirmed", "done", actor=actor)


def await_identity(conn: Connection, request_id: int, *, actor: str, reason: str) -> RightsRequest:
    """Pause the clock while a justified identity check is pending (art. 12(6))."""
    request = _open(conn, request_id)
    if request.status is Status.awaiting_identity:
        raise RequestError(
            f"forespørsel {request_id} venter allerede på en identitetssjekk",
            f"request {request_id} is already waiting for an identity check",
            code="identity_check_pending",
        )
    today = received_date(datetime.now(UTC))
    step = {"reason": reason, "from": today.isoformat()}
    request.status = Status.awaiting_identity
    add_step(conn, request, "identity_check", "pending", actor=actor, **step)
    _save(conn, request, status=request.status.value)
    return get(conn, request_id)


def verify_identity(
    conn: Connection,
    request_id: int,
    *,
    method: Verification,
    actor: str,
    allowed: tuple[Verification, ...],
    at: datetime | None = None,
) -> RightsRequest:
    """Record how the person was identified; a paused clock resumes, the deadline moves."""
    if method not in allowed:
        names = ", ".join(v.value for v in allowed)
        raise RequestError(
            f"policyen tillater ikke identitetssjekk ved {method.value}; velg en av {names}",
            f"verification by {method.value} is not one the policy allows; choose one of {names}",
            field="method",
            code="method_not_allowed",
        )
    if method is Verification.id_document_copy:
        raise RequestError(
            "et ID-dokument kontrolleres og registreres som kontrollert, men kopieres aldri",
            "an ID document is checked and recorded as checked, never copied",
            field="method",
            code="method_not_allowed",
        )
    request = _open(conn, request_id)
    at = as_utc(at or datetime.now(UTC))
    pause = request.step("identity_check")
    if pause and pause["status"] == "pending":
        pause.update(status="done", to=received_date(at).isoformat())
    request.status = Status.open
    request.due_on = _due(request)
    add_step(conn, request, "identity_verified", "done", actor=actor, method=method.value)
    _save(
        conn,
        request,
        verification=method.value,
        verified_at=at,
        status=request.status.value,
        due_on=request.due_on,
    )
    return get(conn, request_id)


def _due(request: RightsRequest, extension_months: int = 0) -> date:
    today = received_date(datetime.now(UTC))
    paused = deadlines.paused_days(request.pauses(), today)
    return deadlines.due_date(
        request.received_on, paused_days=paused, extension_months=extension_months
    )


def extend(
    conn: Connection,
    request_id: int,
    *,
    months: int,
    reason: str,
    actor: str,
    told_at: datetime | None = None,
) -> RightsRequest:
    """Extend by up to two months (art. 12(3)); the person must be told within the first."""
    request = _open(conn, request_id)
    told_at = as_utc(told_at or datetime.now(UTC))
    if not reason.strip():
        raise RequestError(
            "en forlengelse trenger en begrunnelse, som personen får vite",
            "an extension needs a reason, which the person is told",
            field="reason",
            code="reason_missing",
        )
    if received_date(told_at) > request.due_on:
        raise RequestError(
            f"for sent å forlenge: personen måtte få vite det innen {request.due_on.isoformat()}",
            f"too late to extend: the person had to be told by {request.due_on.isoformat()}",
            field="months",
            code="too_late",
        )
    try:
        extended_to = _due(request, extension_months=months)
    except ValueError:
        most = deadlines.MAX_EXTENSION_MONTHS
        raise RequestError(
            f"fristen kan forlenges med høyst {most} måneder (art. 12(3)), ikke {months}",
            f"the deadline can be extended by at most {most} months (art. 12(3)), not {months}",
            field="months",
            code="invalid",
        ) from None
    request.extended_to = extended_to
    add_step(conn, request, "extended", "done", actor=actor, months=months, told_at=str(told_at))
    _save(conn, request, extended_to=extended_to, extension_reason=reason)
    return get(conn, request_id)


def add_step(
    conn: Connection,
    request: RightsRequest,
    name: str,
    status: str,
    *,
    actor: str,
    **details: Any,
) -> None:
    """Record a step (done or pending) on the request and in the audit log."""
    step = {"step": name, "status": status, "at": datetime.now(UTC).isoformat(), "by": actor}
    request.steps.append(step | details)
    _save(conn, request)
    safe = {k: v for k, v in details.items() if isinstance(v, int | float | bool)}
    _audit(conn, request, actor, f"rights.{name}", {"status": status, **safe})


def set_step(
    conn: Connection,
    request: RightsRequest,
    name: str,
    status: str,
    *,
    actor: str,
    audited: bool = True,
    **details: Any,
) -> None:
    """Move the latest step ``name`` on (queued, building, done), with what it says now;
    ``audited=False`` for progress alone, which changes nothing about the person."""
    step = request.step(name)
    if step is None:
        raise RequestError(
            f"forespørsel {request.id} har ikke steget «{_step(name)[0]}»",
            f"request {request.id} has no step '{_step(name)[1]}'",
            code="step_missing",
        )
    step.update(status=status, at=datetime.now(UTC).isoformat(), **details)
    _save(conn, request)
    if audited:
        safe = {k: v for k, v in details.items() if isinstance(v, int | float | bool)}
        _audit(conn, request, actor, f"rights.{name}", {"status": status, **safe})


def finish_step(conn: Connection, request: RightsRequest, name: str, *, actor: str) -> None:
    step = request.step(name)
    if step is None or step["status"] != "pending":
        raise RequestError(
            f"forespørsel {request.id} har ikke noe ventende steg «{_step(name)[0]}»",
            f"request {request.id} has no pending step '{_step(name)[1]}'",
            code="step_missing",
        )
    step.update(status="done", done_at=datetime.now(UTC).isoformat(), done_by=actor)
    _save(conn, request)
    _audit(conn, request, actor, f"rights.{name}.done", {})


def close(
    conn: Connection,
    request_id: int,
    *,
    outcome: str,
    actor: str,
    refused: bool = False,
) -> RightsRequest:
    """Close a request with its outcome, which the person sees; refused without one, and
    while a step (an identity check, a review) is pending."""
    outcome = outcome.strip()
    if not outcome:
        raise RequestError(
            "skriv utfallet, som personen får se",
            "write the outcome, which the person sees",
            field="outcome",
            code="no_outcome",
        )
    request = _open(conn, request_id)
    pending = [s["step"] for s in request.pending()]
    if pending:
        nb = ", ".join(_step(p)[0] for p in pending)
        en = ", ".join(_step(p)[1] for p in pending)
        raise RequestError(
            f"forespørsel {request_id} har steg som venter ({nb}); gjør dem ferdig først",
            f"request {request_id} still has pending steps ({en}); finish them first",
            code="steps_pending",
        )
    request.status = Status.refused if refused else Status.done
    request.outcome, request.closed_at = outcome, datetime.now(UTC)
    _save(conn, request, status=request.status.value, outcome=outcome, closed_at=request.closed_at)
    _audit(conn, request, actor, "rights.closed", {"status": request.status.value})
    return request


def _open(conn: Connection, request_id: int) -> RightsRequest:
    request = get(conn, request_id)
    if not request.is_open:
        raise closed(request)
    return request


def closed(request: RightsRequest) -> RequestError:
    """The refusal of a step on a closed request."""
    nb, en = STATUS.get(request.status.value, (request.status.value, request.status.value))
    return RequestError(
        f"forespørsel {request.id} er avsluttet ({nb.lower()})",
        f"request {request.id} is closed ({en.lower()})",
        code="closed",
    )


def _step(name: str) -> tuple[str, str]:
    return STEP.get(name, (name, name))


def _save(conn: Connection, request: RightsRequest, **values: Any) -> None:
    conn.execute(
        update(rights_requests)
        .where(rights_requests.c.id == request.id)
        .values(steps=request.steps, **values)
    )


def _audit(
    conn: Connection, request: RightsRequest, actor: str, action: str, details: dict[str, Any]
) -> None:
    subject = f"person:{request.person_id}" if request.person_id else None
    audit.append(
        conn,
        actor=actor,
        action=action,
        subject=subject,
        purpose=f"rights-request:{request.id}",
        details={"request": request.id, "kind": request.kind.value, **details},
    )
