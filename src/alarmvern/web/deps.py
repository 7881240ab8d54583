"""What routes depend on: the open system, who is asking, and what their role allows."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request

from alarmvern.system import System
from alarmvern.web.errors import ApiError
from alarmvern.web.security import COOKIE, STAFF, Principal, Role, same_token, session_in_use

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


async def get_system(request: Request) -> System:
    """The open system. Async, as the other dependencies that do no I/O: FastAPI runs a
    plain function in its thread pool, and each hand-over costs more than the work."""
    system: System = request.app.state.system
    return system


SystemDep = Annotated[System, Depends(get_system)]


def session_of(request: Request, system: SystemDep) -> Principal | None:
    """Whose session the cookie names, if any. A plain function, so FastAPI runs it in its
    thread pool: a database read must not stop the worker's event loop, which meanwhile
    serves the worker's other requests (the receiver has a process of its own)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return session_in_use(system.engine, token)


async def principal(
    request: Request, found: Annotated[Principal | None, Depends(session_of)]
) -> Principal:
    """The logged-in user; unsafe requests must carry the session's CSRF token."""
    if found is None:
        raise ApiError(401, "logg inn først / log in first")
    if request.method in UNSAFE:
        given = request.headers.get(CSRF_HEADER)
        if given is None and _is_form(request):
            given = str((await request.form()).get(CSRF_FIELD) or "")
        if not same_token(given, found.csrf_token):
            raise ApiError(403, "mangler CSRF-token / missing CSRF token", code="csrf")
    return found


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


PrincipalDep = Annotated[Principal, Depends(principal)]


def require(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting only ``roles`` (admin is always admitted)."""
    allowed = set(roles) | {Role.admin}

    async def check(who: PrincipalDep) -> Principal:  # no I/O: see get_system
        if who.role not in allowed:
            raise ApiError(403, "rollen din gir ikke tilgang / your role has no access here")
        return who

    return check


Staff = Annotated[Principal, Depends(require(*STAFF))]
Customer = Annotated[Principal, Depends(require(Role.customer))]
Dpo = Annotated[Principal, Depends(require(Role.dpo))]
Operator = Annotated[Principal, Depends(require(Role.operator))]
Service = Annotated[Principal, Depends(require(Role.customer_service, Role.dpo))]
