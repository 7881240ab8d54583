"""Choosing a password through a link: the first login (``/aktiver``), "glemt passord"
(``/glemt-passord``) and the new password it leads to (``/nytt-passord``). The rules are
:mod:`alarmvern.customers.logins`'; these pages only render them."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from alarmvern.customers import logins as links
from alarmvern.customers.errors import InputError
from alarmvern.outbox.wiring import outbox_of
from alarmvern.web import passwords, security
from alarmvern.web.deps import SystemDep
from alarmvern.web.pages.render import PageRoute, done, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FORM_COOKIE = "alarmvern_form"  # the CSRF token of these forms, before there is a session
Token = Annotated[str, Query(max_length=100)]
Secret = Annotated[str, Form(max_length=200)]
PAGES = {links.ACTIVATE: "/aktiver", links.RESET: "/nytt-passord"}


def _page(
    request: Request,
    template: str,
    *,
    path: str,
    status: int = 200,
    **context: object,
) -> Response:
    """The form, with the token that proves a post came from it (kept in a cookie)."""
    form_token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    page = render(request, template, status_code=status, form_csrf=form_token, **context)
    page.set_cookie(FORM_COOKIE, form_token, max_age=3600, httponly=True, samesite="lax", path=path)
    return page


def _from_our_form(request: Request, given: str) -> bool:
    return security.same_token(given, request.cookies.get(FORM_COOKIE) or "")


def _choose(
    request: Request, system: SystemDep, purpose: str, token: str, error: InputError | None = None
) -> Response:
    """The choose-a-password form for a live link, or the page saying the link is dead."""
    if error is None:
        try:
            with system.engine.connect() as conn:
                links.check(conn, token, purpose)
        except links.LinkError as exc:
            error = exc
    dead = isinstance(error, links.LinkError)
    return _page(
        request,
        "password.html.j2",
        path=PAGES[purpose],
        status=(404 if dead else 422) if error else 200,
        purpose=purpose,
        action=PAGES[purpose],
        token="" if dead else token,
        dead=dead,
        error=error,
        minimum=passwords.MIN_LENGTH,
    )


def _set(
    request: Request,
    system: SystemDep,
    purpose: str,
    token: str,
    password: str,
    again: str,
    csrf_token: str,
) -> Response:
    if not _from_our_form(request, csrf_token):
        error = InputError("csrf_token", "skjemaet var utløpt", "the form had expired")
        return _choose(request, system, purpose, token, error)
    try:
        links.use(system.engine, token=token, purpose=purpose, password=password, again=again)
    except InputError as exc:
        return _choose(request, system, purpose, token, exc)
    response = done("/login", "password-set")
    response.delete_cookie(security.COOKIE, path="/")  # this browser's session ended too
    return response


@router.get("/aktiver")
def activate_form(request: Request, system: SystemDep, token: Token = "") -> Response:
    """Velg passord / choose a password: the first login, from the activation e-mail."""
    return _choose(request, system, links.ACTIVATE, token)


@router.post("/aktiver")
def activate(
    request: Request,
    system: SystemDep,
    token: Annotated[str, Form(max_length=100)],
    password: Secret,
    again: Secret,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    return _set(request, system, links.ACTIVATE, token, password, again, csrf_token)


@router.get("/nytt-passord")
def reset_form(request: Request, system: SystemDep, token: Token = "") -> Response:
    """Nytt passord / new password, from the e-mail "glemt passord" sent."""
    return _choose(request, system, links.RESET, token)


@router.post("/nytt-passord")
def reset(
    request: Request,
    system: SystemDep,
    token: Annotated[str, Form(max_length=100)],
    password: Secret,
    again: Secret,
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    return _set(request, system, links.RESET, token, password, again, csrf_token)


@router.get("/glemt-passord")
def forgotten_form(request: Request) -> Response:
    return _page(request, "forgotten.html.j2", path="/glemt-passord", expired=False)


@router.post("/glemt-passord")
def forgotten(
    request: Request,
    system: SystemDep,
    later: BackgroundTasks,
    username: Annotated[str, Form(max_length=254)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """The same answer whatever was typed; the lookup and the mail come after it."""
    if not _from_our_form(request, csrf_token):
        return _page(request, "forgotten.html.j2", path="/glemt-passord", expired=True, status=403)
    later.add_task(
        links.send_reset,
        system.engine,
        system.vault,
        system.policy.policy,
        outbox_of(system),
        username,
    )
    response: RedirectResponse = done("/glemt-passord", "reset-asked")
    return response
