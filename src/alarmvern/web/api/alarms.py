"""The alarm log and media: who armed and disarmed, when and how, with what each code means;
the images of an incident or taken on demand. Incidents are in :mod:`.alarms_incidents`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from alarmvern.customers.overview import account_exists
from alarmvern.intake import alarm_log, operators
from alarmvern.intake.customer_media import own_media
from alarmvern.sia.protocol.meaning import stored_meaning
from alarmvern.store.engine import reading
from alarmvern.store.tables.columns import as_utc
from alarmvern.web.api import alarms_incidents, alarms_steps
from alarmvern.web.api.common import ERRORS, PREFIX, Limit, PathId, connection_for, not_found
from alarmvern.web.api.schemas import EventOut, EventPage, MeaningOut
from alarmvern.web.deps import PrincipalDep, SystemDep
from alarmvern.web.errors import ApiError
from alarmvern.web.security import Role
from alarmvern.web.visibility import accounts_of, check_account

router = APIRouter(prefix=PREFIX, tags=["alarms"], responses=ERRORS)
router.include_router(alarms_incidents.router)
router.include_router(alarms_steps.router)

Cursor = Annotated[
    str | None,
    Query(max_length=64, description="Keyset: the `next_after` of the page before."),
]
MEDIA_TYPES = ("image/*", "video/*", "audio/*", "application/octet-stream")


def _cursor(after: str | None) -> tuple[datetime, int] | None:
    if after is None:
        return None
    moment, _, ident = after.rpartition("~")
    try:
        at = datetime.fromisoformat(moment)
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC), int(ident)
    except ValueError:
        raise ApiError(422, "ugyldig markør / not a cursor from this list", field="after") from None


@router.get("/accounts/{account_id}/events", response_model=EventPage)
def events(
    system: SystemDep,
    who: PrincipalDep,
    account_id: PathId,
    limit: Limit = 100,
    after: Cursor = None,
) -> EventPage:
    """Alarmloggen / the alarm log, newest first: arming, disarming and the other signals."""
    cursor = _cursor(after)
    with connection_for(system, who) as conn:
        # Staff: "not found" before the audited look, as for any unknown id. (A customer's
        # own accounts are known; check_account answers the rest with "not found".)
        if who.role is not Role.customer and not account_exists(conn, account_id):
            raise not_found("account", account_id)
        check_account(conn, who, account_id, "customer-service")
        rows = alarm_log.newest(conn, [account_id], limit=limit + 1, before=cursor)
    items = [_event(r) for r in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    cursor_out = f"{as_utc(last.occurred_at).isoformat()}~{last.id}" if last is not None else None
    return EventPage(items=items, next_after=cursor_out)


def _event(r: Any) -> EventOut:
    m = stored_meaning(r.protocol, r.code, r.qualifier)
    return EventOut(
        id=r.id,
        site_id=r.site_id,
        occurred_at=as_utc(r.occurred_at),
        received_at=as_utc(r.received_at),
        protocol=r.protocol,
        code=r.code,
        qualifier=r.qualifier,
        zone=r.zone,
        area=r.area,
        user_no=r.user_no,
        method=r.method,
        actor_name=r.actor_name,
        meaning=MeaningOut(
            description=m.description, event_class=m.event_class.value, kind=m.kind, known=m.known
        ),
    )


@router.get(
    "/media/{media_id}",
    response_class=Response,
    responses={
        200: {
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in MEDIA_TYPES},
            "description": "The file.",
        }
    },
)
def media_file(system: SystemDep, who: PrincipalDep, media_id: PathId) -> Response:
    """Et bilde eller en video / an image or video: the customer their own (on-demand too);
    an operator one of an incident they handle (audited); nobody else."""
    if who.role is Role.customer:
        with reading(system.engine) as conn:
            own = own_media(conn, system.vault, accounts_of(conn, who), media_id)
        if own is None:
            raise not_found("media", media_id)
        return Response(own.data, media_type=own.shown_as, headers=_private())
    if who.role is not Role.operator:
        raise ApiError(
            403,
            "bilder vises bare kunden og operatøren som håndterer hendelsen / media are shown "
            "only to the customer and the operator handling the incident",
        )
    try:
        found = operators.media_content(
            system.engine, system.vault, system.policy.policy, who.actor, media_id
        )
    except operators.AccessRefused as exc:
        raise ApiError(403, str(exc)) from None
    kind = found.content_type or "application/octet-stream"
    return Response(found.data, media_type=kind, headers=_private())


def _private() -> dict[str, str]:
    return {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
