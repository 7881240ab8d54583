"""The access package a person builds themselves on Mine Sider (art. 15), without staff.

A logged-in person whose session the policy accepts as proof of identity asks; the request
is opened, verified by that session, and queued (step ``package_built``, status ``queued``).
The builder (:func:`build_waiting`, run by ``alarmvern serve`` beside the web, never by the
DC-09 receiver's process) takes it, records its progress on the step (``building``, tables
done of all), and releases it (``done``). What may show other people is left out and waits
for staff's review (art. 15(4)); the rest goes out at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Verification
from alarmvern.policy.wording import Lang
from alarmvern.rights import requests, service
from alarmvern.rights.requests import Channel, Kind, RequestError, RightsRequest
from alarmvern.store.engine import reading
from alarmvern.store.tables import rights_requests
from alarmvern.system import System

log = logging.getLogger(__name__)

BUILDER = "system:self-service"
STEP = "package_built"
# A build that has said nothing for this long died with its process: it is taken again.
STALE = timedelta(minutes=10)
PROGRESS_EVERY = 0.5  # seconds between progress writes


class SelfServiceError(RequestError):
    """The person cannot build the package themselves; the message says why."""


def ask(system: System, person_id: int, *, actor: str, lang: Lang = "nb") -> RightsRequest:
    """The person's open access request, queued for building: a new one, or the one already
    open (a second identical request is not opened)."""
    allowed = system.policy.policy.rights.verification
    if Verification.mine_sider not in allowed:
        raise SelfServiceError(
            "personvernerklæringen godtar ikke innlogging på Mine Sider som bevis på hvem du "
            "er; ta kontakt med oss",
            "the privacy notice does not accept a Mine Sider login as "
            "proof of identity; please contact us",
        )
    with system.engine.begin() as conn:
        mine = [r for r in requests.for_person(conn, person_id) if r.kind is Kind.access]
        request = next((r for r in mine if r.is_open), None)
        if request is None:
            request = requests.open_request(
                conn, kind=Kind.access, channel=Channel.mine_sider, person_id=person_id,
                actor=actor,
            )  # fmt: skip
        if request.verified_at is None:
            request = requests.verify_identity(
                conn, request.id, method=Verification.mine_sider, actor=actor, allowed=allowed
            )
        if request.step(STEP) is None:
            requests.add_step(conn, request, STEP, "queued", actor=actor, lang=lang)
            request = requests.get(conn, request.id)
    return request


def open_for_self(
    system: System,
    person_id: int,
    kind: Kind,
    text: str | None,
    target: str | None = None,
    *,
    actor: str,
) -> RightsRequest:
    """A request the person opens for themselves on Mine Sider: ``text`` in their own words
    (what is wrong and what is right, for a correction), ``target`` what an objection is to.
    It is verified by their login where the privacy notice accepts that, so that staff can
    act on it at once; otherwise it waits in the queue for an identity check."""
    allowed = system.policy.policy.rights.verification
    details = {"text": text} if text else {}
    if target:
        details["target"] = target
    with system.engine.begin() as conn:
        request = requests.open_request(
            conn,
            kind=kind,
            channel=Channel.mine_sider,
            person_id=person_id,
            actor=actor,
            details=details or None,
        )
        if Verification.mine_sider in allowed:
            request = requests.verify_identity(
                conn, request.id, method=Verification.mine_sider, actor=actor, allowed=allowed
            )
    return request


def waiting(system: System, now: datetime | None = None) -> list[int]:
    """Open access requests queued for building, or whose build went silent."""
    now = now or datetime.now(UTC)
    with reading(system.engine) as conn:
        rows = conn.execute(
            rights_requests.select().where(
                rights_requests.c.kind == Kind.access.value,
                rights_requests.c.status.not_in([s.value for s in requests.CLOSED]),
            )
        ).all()
    found = []
    for row in rows:
        step = next((s for s in reversed(row.steps or []) if s["step"] == STEP), None)
        if step is None:
            continue
        at = datetime.fromisoformat(step["at"])
        if step["status"] == "queued" or (step["status"] == "building" and now - at > STALE):
            found.append(int(row.id))
    return sorted(found)


def build_waiting(system: System) -> int:
    """Build every waiting package; return how many were built. One that fails is marked
    failed (with the kind of error, never its text) and left to staff."""
    built = 0
    for request_id in waiting(system):
        if not _claim(system, request_id):
            continue
        try:
            _build(system, request_id)
            built += 1
        except Exception as exc:
            log.error("self-service package %d failed: %s", request_id, type(exc).__name__)
            with system.engine.begin() as conn:
                request = requests.get(conn, request_id)
                requests.set_step(
                    conn, request, STEP, "failed", actor=BUILDER, error=type(exc).__name__
                )
    return built


def _claim(system: System, request_id: int) -> bool:
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        step = request.step(STEP)
        if not request.is_open or step is None or step["status"] not in ("queued", "building"):
            return False
        requests.set_step(conn, request, STEP, "building", actor=BUILDER, done=0, of=0)
    return True


def _build(system: System, request_id: int) -> None:
    with reading(system.engine) as conn:
        step = requests.get(conn, request_id).step(STEP) or {}
    lang: Lang = "en" if step.get("lang") == "en" else "nb"
    last = 0.0

    def progress(done: int, of: int) -> None:
        nonlocal last
        if time.monotonic() - last < PROGRESS_EVERY and done < of:
            return
        last = time.monotonic()
        with system.engine.begin() as conn:
            request = requests.get(conn, request_id)
            requests.set_step(
                conn, request, STEP, "building", actor=BUILDER, audited=False, done=done, of=of
            )

    try:
        package = service.access(
            system, request_id, actor=BUILDER, pdf=True, lang=lang, withhold=True,
            progress=progress,
        )  # fmt: skip
    except AlarmvernError as exc:
        if "PDF" not in str(exc):
            raise
        # No PDF here (WeasyPrint's libraries are missing): the HTML report says the same.
        package = service.access(
            system, request_id, actor=BUILDER, pdf=False, lang=lang, withhold=True,
            progress=progress,
        )  # fmt: skip
    if not package.withheld:  # all of it went out: the request is answered
        with system.engine.begin() as conn:
            requests.close(conn, request_id, outcome=ANSWERED, actor=BUILDER)


def build_portable(system: System, request_id: int, *, actor: str) -> Path:
    """The portability package (art. 20) a person verified by their session makes
    themselves: built now (it holds only what they gave or made, nothing to review), and
    the request answered; they download it from the request."""
    with reading(system.engine) as conn:
        request = requests.get(conn, request_id)
    if request.kind is not Kind.portability or request.verified_at is None:
        raise SelfServiceError(
            f"forespørsel {request_id} er ikke en bekreftet forespørsel om dataportabilitet",
            f"request {request_id} is not a verified data portability request",
        )
    made, _sent = service.export_portable(system, request_id, actor=actor)
    with system.engine.begin() as conn:
        requests.close(conn, request_id, outcome=PORTABLE_ANSWERED, actor=actor)
    return made.path


PORTABLE_ANSWERED = (
    "Dataportabilitetspakken er laget og ligger klar på Mine Sider. / "
    "The data portability package is made and ready on Mine Sider."
)
ANSWERED = (
    "Innsynspakken er laget og ligger klar på Mine Sider. / "
    "The access package is made and ready on Mine Sider."
)


@dataclass(frozen=True)
class PackageState:
    """What the person is shown of their package: ``none`` (staff make it), ``queued``,
    ``building`` (tables ``done`` of ``of``), ``done`` or ``failed``; and the tables left
    out for review."""

    status: str
    done: int = 0
    of: int = 0
    withheld: tuple[str, ...] = ()

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.of) if self.of else 0


def state(request: RightsRequest) -> PackageState:
    step = request.step(STEP)
    if step is None:
        return PackageState("none")
    return PackageState(
        step["status"],
        int(step.get("done") or 0),
        int(step.get("of") or 0),
        tuple(step.get("withheld") or ()),
    )


class NotYours(SelfServiceError):
    """No request of the person's has that id (others' ids are not told apart)."""

    http_status = 404


class NotReady(SelfServiceError):
    """The package is not built yet, or no longer kept."""


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str


def download(system: System, person_id: int, request_id: int, *, actor: str) -> Download:
    """The person's own access or portability package, once it may go out; the download is
    audited in the same transaction that finds it."""
    with system.engine.begin() as conn:
        try:
            found = requests.get(conn, request_id)
        except requests.RequestMissing:
            found = None
        if found is None or found.person_id != person_id:
            raise NotYours("ikke din forespørsel", "not your request")
        portable = found.kind is Kind.portability
        path = (service.portable_ready if portable else service.package_ready)(system, found)
        if path is None:
            raise NotReady(
                "pakken er ikke klar ennå, eller ikke lenger lagret",
                "the package is not ready yet, or no longer kept",
            )
        audit.append(
            conn,
            actor=actor,
            action="rights.package_downloaded",
            subject=f"person:{person_id}",
            purpose=f"rights-request:{request_id}",
            details={"request": request_id, "kind": found.kind.value},
        )
    name = "dataportabilitet" if portable else "mine-data"
    return Download(path, f"{name}-{request_id}.zip")
