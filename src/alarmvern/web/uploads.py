"""The intake API for devices: camera media, home/away from the app, calls from the phone
system. Each request carries its device's token as ``Authorization: Bearer <token>``.

Errors are JSON ``{"status", "code", "message", "field"}``: 401 without a valid token, 403
for the wrong kind of device or a missing consent, 413 too large, 415 a file type not taken,
422 anything else wrong with the request, as ``web/errors.py`` answers for the rest of the
API. The router converts its own errors (its route class), so an app only has to include it
and set ``app.state.system``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from alarmvern.errors import AlarmvernError
from alarmvern.intake import calls, devices, media, presence
from alarmvern.intake.devices import Device
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.api.common import ERRORS
from alarmvern.web.deps import SystemDep
from alarmvern.web.errors import ApiError, render
from alarmvern.web.errors import body as error_body

# The shared error shape, for every status an upload may be refused with.
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    413: {**ERRORS[422], "description": "Too large / for stor"},
    415: {**ERRORS[422], "description": "File type not taken / filtypen tas ikke imot"},
}


class IntakeRoute(APIRoute):
    """Answers this router's errors as JSON, whatever app it is included in."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                # The device's token first, before a byte of the body is read or spooled:
                # without a valid one, nothing is.
                request.state.device = await run_in_threadpool(
                    find_device, request, request.app.state.system
                )
                return await handler(request)
            except ApiError as exc:
                return error_body(exc.status, exc.code, exc.message, exc.field, challenge="Bearer")
            except (AlarmvernError, RequestValidationError) as exc:  # UploadRefused with its code
                return render(request, exc, page=False)

        return guarded


router = APIRouter(
    prefix="/api/v1/intake", tags=["intake"], route_class=IntakeRoute, responses=UPLOAD_ERRORS
)


def find_device(request: Request, system: System) -> Device:
    """The device whose token the request carries; 401 without a valid one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "mangler enhetsnøkkel / missing device token: send Authorization: Bearer <token>",
        )
    with reading(system.engine) as conn:
        device = devices.authenticate(conn, token.strip())
    if device is None:
        raise ApiError(401, "ukjent eller tilbakekalt enhetsnøkkel / unknown or revoked token")
    return device


def get_device(request: Request, system: SystemDep) -> Device:
    """The device the route class found before the body was read (or found now)."""
    found: Device | None = getattr(request.state, "device", None)
    return found if found is not None else find_device(request, system)


DeviceDep = Annotated[Device, Depends(get_device)]


def _read(upload: UploadFile, limit: int) -> bytes:
    # One byte past the limit is enough to know the file is too large.
    return upload.file.read(limit + 1)


@router.post("/media", status_code=201)
def post_media(
    system: SystemDep,
    device: DeviceDep,
    file: Annotated[UploadFile, File()],
    captured_at: Annotated[datetime, Form()],
    on_demand: Annotated[bool, Form()] = False,
    requested_by: Annotated[int | None, Form()] = None,
) -> dict[str, Any]:
    data = _read(file, media.MAX_MEDIA_BYTES)
    stored = media.upload_media(
        system.engine,
        system.vault,
        device,
        data,
        file.content_type or "application/octet-stream",
        captured_at,
        on_demand=on_demand,
        requested_by=requested_by,
    )
    flagged = stored.incident_id is None and not on_demand
    return {"id": stored.id, "incident_id": stored.incident_id, "flagged": flagged}


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["home", "away"] | None = None
    lat: float | None = None
    lon: float | None = None
    at: datetime | None = None


@router.post("/presence", status_code=201)
def post_presence(system: SystemDep, device: DeviceDep, body: PresenceIn) -> dict[str, Any]:
    if (body.lat is None) != (body.lon is None):
        missing = "lon" if body.lon is None else "lat"
        raise ApiError(422, f"{missing} mangler / {missing} is missing", field=missing)
    position = (body.lat, body.lon) if body.lat is not None and body.lon is not None else None
    with system.engine.begin() as conn:
        state = presence.record_presence(
            conn,
            system.policy.policy,
            device,
            state=body.state,
            position=position,
            at=body.at or datetime.now(UTC),
        )
    return {"state": state}


@router.post("/calls", status_code=201)
def post_call(
    system: SystemDep,
    device: DeviceDep,
    direction: Annotated[str, Form()],
    started_at: Annotated[datetime, Form()],
    duration_s: Annotated[int | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
    incident_id: Annotated[int | None, Form()] = None,
    account_id: Annotated[int | None, Form()] = None,
    audio: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    data = _read(audio, calls.MAX_AUDIO_BYTES) if audio is not None else None
    stored = calls.upload_call(
        system.engine,
        system.vault,
        device,
        direction=direction,
        phone=phone,
        started_at=started_at,
        duration_s=duration_s,
        audio=data,
        incident_id=incident_id,
        account_id=account_id,
    )
    return {"id": stored.id, "person_matched": stored.person_id is not None, "audio": stored.audio}
