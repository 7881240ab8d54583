"""Logging in and out, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from alarmvern.web import security
from alarmvern.web.api.common import ERRORS
from alarmvern.web.deps import PrincipalDep, SystemDep
from alarmvern.web.errors import ApiError

router = APIRouter(prefix="/api/v1", tags=["session"], responses=ERRORS)
LOCAL = frozenset({"127.0.0.1", "localhost", "testserver"})


class Credentials(BaseModel):
    username: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class Me(BaseModel):
    login_id: int
    username: str
    role: security.Role
    person_id: int | None
    display_name: str | None
    csrf_token: str


def me_of(who: security.Principal) -> Me:
    return Me(
        login_id=who.login_id,
        username=who.username,
        role=who.role,
        person_id=who.person_id,
        display_name=who.display_name,
        csrf_token=who.csrf_token,
    )


def set_cookie(response: Response, token: str, request: Request) -> None:
    response.set_cookie(
        security.COOKIE,
        token,
        max_age=int(security.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        secure=request.url.scheme == "https"
        or request.url.hostname not in ("127.0.0.1", "localhost", "testserver"),
        samesite="lax",
        path="/",
    )


def client_of(request: Request) -> str:
    """The client's address: the peer's, or a trusted proxy's X-Forwarded-For (only where
    ``ALARMVERN_TRUSTED_PROXIES`` names the proxy: :func:`alarmvern.web.workers.uvicorn_config`)."""
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=Me)
def login(credentials: Credentials, request: Request, response: Response, system: SystemDep) -> Me:
    """Log in with username and password; sets the session cookie."""
    try:
        token, who = security.log_in(
            system.engine, credentials.username, credentials.password, client=client_of(request)
        )
    except security.LoginThrottled as exc:
        raise ApiError(429, str(exc), field="username") from None
    except security.LoginError as exc:
        raise ApiError(401, str(exc), field="password") from None
    set_cookie(response, token, request)
    return me_of(who)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, system: SystemDep, _who: PrincipalDep) -> None:
    token = request.cookies.get(security.COOKIE)
    if token:
        with system.engine.begin() as conn:
            security.close_session(conn, token)
    response.delete_cookie(security.COOKIE, path="/")


@router.get("/me", response_model=Me)
def me(who: PrincipalDep) -> Me:
    return me_of(who)
