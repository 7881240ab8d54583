"""Choosing a password through an e-mailed link (the first login, a forgotten password);
the rules are :mod:`alarmvern.customers.logins`'."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Response
from pydantic import BaseModel, Field

from alarmvern.customers import logins as links
from alarmvern.outbox.wiring import outbox_of
from alarmvern.web.api.common import ERRORS, PREFIX
from alarmvern.web.api.schemas import In
from alarmvern.web.deps import SystemDep

router = APIRouter(prefix=PREFIX, tags=["session"], responses=ERRORS)


class ForgottenIn(In):
    username: Annotated[str, Field(min_length=1, max_length=254)]


class PasswordIn(In):
    token: Annotated[str, Field(min_length=1, max_length=100)]
    purpose: Literal["activate", "reset"]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class Asked(BaseModel):
    message: str


ASKED = (
    "Hvis vi har en innlogging som passer, er en lenke sendt til e-postadressen dens. / "
    "If we have a login that matches, a link is sent to its e-mail address."
)


@router.post("/password/forgotten", response_model=Asked, status_code=202)
def forgotten(system: SystemDep, body: ForgottenIn, later: BackgroundTasks) -> Asked:
    """Glemt passord / forgot password: the same answer whether or not the login exists;
    the link is made and sent after the answer."""
    later.add_task(
        links.send_reset,
        system.engine,
        system.vault,
        system.policy.policy,
        outbox_of(system),
        body.username,
    )
    return Asked(message=ASKED)


@router.post("/password", status_code=204, response_class=Response)
def set_password(system: SystemDep, body: PasswordIn) -> Response:
    """Sett passord med lenken / set the password with a link's token: once; every session
    of the login ends. 404 if the link is unknown, used or expired."""
    links.use(system.engine, token=body.token, purpose=body.purpose, password=body.password)
    return Response(status_code=204)
