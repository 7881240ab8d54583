"""What the API's routers share: paging, "not found", and the text responses' documentation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Path, Query
from sqlalchemy import Connection, Table, select

from alarmvern.audit.group import append_alone
from alarmvern.rights import requests
from alarmvern.rights.requests import RightsRequest
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web.api.schemas import MAX_ID, ErrorOut
from alarmvern.web.errors import ApiError
from alarmvern.web.security import Principal, Role
from alarmvern.web.visibility import LOOKS

PREFIX = "/api/v1"
# Ids fit a 64-bit column on both databases; larger numbers are refused as invalid (422).
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items (≤ 500).")]
AfterId = Annotated[
    int | None, Query(ge=0, le=MAX_ID, description="Keyset: the `next_after` of the last page.")
]

# Every router documents the one error shape for each status it may answer with (FastAPI's
# own 422 schema would be wrong: the app answers validation errors in this shape too).
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": why}
    for status, why in (
        (401, "Not logged in / ikke innlogget"),
        (403, "Not allowed, or a missing CSRF token / ikke tillatt"),
        (404, "Not found, or not yours / finnes ikke"),
        (409, "Refused by the state of things / i konflikt med tilstanden"),
        (422, "Invalid request / ugyldig forespørsel"),
    )
}

# What each kind of object is called, for "not found" messages.
NAMES = {
    "person": "personen",
    "account": "kundeforholdet",
    "site": "anlegget",
    "contact": "alarmkontakten",
    "incident": "hendelsen",
    "media": "mediefilen",
    "request": "forespørselen",
    "hold": "sperren",
    "policy version": "policyversjonen",
    "package": "pakken",
    "activity": "samtykkeaktiviteten",
}


def not_found(kind: str, ident: object) -> ApiError:
    return ApiError(404, f"fant ikke {NAMES.get(kind, kind)} {ident} / no {kind} {ident}")


def rights_request(conn: Connection, request_id: int) -> RightsRequest:
    """The rights request, or the API's "not found" for it."""
    try:
        return requests.get(conn, request_id)
    except requests.RequestMissing:
        raise not_found("request", request_id) from None


def require_row(conn: Connection, table: Table, ident: int, kind: str) -> Any:
    row = conn.execute(select(table).where(table.c.id == ident)).first()
    if row is None:
        raise not_found(kind, ident)
    return row


def is_office_staff(who: Principal) -> bool:
    """Staff who may look people up (audited): everyone but customers and operators."""
    return who.role in (Role.customer_service, Role.dpo, Role.admin)


@contextmanager
def connection_for(system: System, who: Principal) -> Iterator[Connection]:
    """A reading connection (no write lock: nobody's page queues behind intake, nor intake
    behind a page). Office staff's looks at people (:func:`alarmvern.web.visibility.record_look`)
    are collected meanwhile and committed, durably, through the audit group writer once the
    block has read what it needs and before anything is answered; a block that fails
    records nothing, as a rolled-back transaction did."""
    looks: list[dict[str, Any]] = []
    with reading(system.engine) as conn:
        conn.execution_options(**{LOOKS: looks})
        yield conn
    for fields in looks:
        append_alone(system.engine, **fields)


def text_responses(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a route answering with text (or bytes) rather than JSON."""
    content = {m: {"schema": {"type": "string"}} for m in media_types}
    return {200: {"content": content, "description": "OK"}}
