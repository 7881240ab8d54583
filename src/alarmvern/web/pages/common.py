"""Pages every visitor shares: the front door, logging in and out, the language switch and
the public privacy notice."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markupsafe import Markup

from alarmvern.policy.notice import render_notice
from alarmvern.store.engine import reading
from alarmvern.system import System
from alarmvern.web import security
from alarmvern.web.api.session import client_of, set_cookie
from alarmvern.web.deps import PrincipalDep, SystemDep
from alarmvern.web.pages.render import (
    LANG_COOKIE,
    Lang,
    PageRoute,
    home_of,
    lang_of,
    render,
    safe_next,
)

__all__ = ["notice_html", "render", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)
_BODY = re.compile(r"<body>(.*)</body>", re.DOTALL)
_NOTICES: dict[tuple[str, str], Markup] = {}  # by policy hash and language
LOGIN_COOKIE = "alarmvern_login"  # the login form's CSRF token, before there is a session


@router.get("/")
def front(request: Request, system: SystemDep) -> Response:
    """The logged-in user's home, or the login page."""
    token = request.cookies.get(security.COOKIE)
    who = None
    if token:
        with reading(system.engine) as conn:
            who = security.session_principal(conn, token)
    return RedirectResponse(home_of(who.role) if who else "/login", status_code=303)


STATIC = Path(__file__).parent.parent / "static"
LOGGED_OUT = "Du er logget ut. / You are logged out."


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for this address before they read the page's icon link."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")


@router.get("/login")
def login_form(
    request: Request,
    next: Annotated[str | None, Query()] = None,
    ut: Annotated[str | None, Query()] = None,
) -> Response:
    notice = LOGGED_OUT if ut is not None else None
    return _login_page(request, next=next, username="", notice=notice)


@router.post("/login")
def login(
    request: Request,
    system: SystemDep,
    username: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    # Login CSRF: the form must come from our own login page (its token matches the
    # cookie set with it), or a cross-site form could log the visitor in as someone else.
    if not security.same_token(csrf_token, request.cookies.get(LOGIN_COOKIE) or ""):
        message = "skjemaet var utløpt; prøv igjen / the form had expired, try again"
        return _login_page(request, next=next, username=username, message=message, status=403)
    try:
        token, who = security.log_in(system.engine, username, password, client=client_of(request))
    except security.LoginError as exc:
        status = 429 if isinstance(exc, security.LoginThrottled) else 401
        return _login_page(request, next=next, username=username, message=str(exc), status=status)
    target = safe_next(next) or home_of(who.role)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, token, request)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _login_page(
    request: Request,
    *,
    next: str | None,
    username: str,
    message: str | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    """The login form, with the token that proves a post came from it (kept in a cookie)."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    page = render(
        request,
        "login.html.j2",
        status_code=status,
        next=safe_next(next) or "",
        message=message,
        notice=notice,
        username=username,
        login_csrf=token,
    )
    page.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="lax", path="/login")
    return page


@router.post("/logout")
def logout(request: Request, system: SystemDep, _who: PrincipalDep) -> Response:
    token = request.cookies.get(security.COOKIE)
    if token:
        with system.engine.begin() as conn:
            security.close_session(conn, token)
    response = RedirectResponse("/login?ut", status_code=303)
    response.delete_cookie(security.COOKIE, path="/")
    return response


@router.get("/lang/{lang}")
def switch_language(
    request: Request, lang: Literal["nb", "en"], next: Annotated[str | None, Query()] = None
) -> Response:
    """Remember the language in a cookie and go back to the page the visitor came from."""
    back = safe_next(next) or _referer_path(request) or "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(
        LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/"
    )
    return response


def _referer_path(request: Request) -> str | None:
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.url.netloc:
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


@router.get("/personvernerklaering")
def public_notice(request: Request, system: SystemDep) -> Response:
    """The current privacy notice, for anyone."""
    lang = lang_of(request)
    return render(request, "notice.html.j2", notice=notice_html(system, lang))


def notice_html(system: System, lang: Lang) -> Markup:
    """The notice as rendered by the policy package, without its page wrapper."""
    key = (system.policy.sha256, lang)
    if key not in _NOTICES:
        _NOTICES[key] = _notice_body(render_notice(system.policy.policy, lang, "html"))
    return _NOTICES[key]


def _notice_body(page: str) -> Markup:
    found = _BODY.search(page)
    body = found.group(1) if found else page
    # The page has its own <main>; the notice's becomes a plain block inside it.
    body = body.replace("<main>", '<div class="notice-body">').replace("</main>", "</div>")
    return Markup(body)  # produced by an autoescaping template from the policy
