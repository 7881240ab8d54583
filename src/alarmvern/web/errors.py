"""One JSON shape for every API error: ``{"status", "code", "message", "field"}``.

:func:`render` is the one place an error becomes an answer: the JSON shape for the API, or a
page for a browser with the same message, bokmål first and English second, each marked with
its language. Both read the error through :func:`problem`, so that a refusal says the same
on a page as in the API. The API never answers with a stack trace. An address that matches
no route is answered as the asker reads: a page for a browser, the JSON shape for the API
and for clients that ask for JSON (:func:`wants_html`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from alarmvern.errors import AlarmvernError

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    422: "invalid",
    429: "too_many_requests",
    500: "internal",
}


class ApiError(Exception):
    """An error the API answers as it is: raise it from a route."""

    def __init__(
        self, status: int, message: str, *, field: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.code = code or CODES.get(status, "error")


NOT_FOUND = (
    "Vi fant ingen side på denne adressen. Sjekk adressen, eller gå til forsiden. / "
    "There is no page at this address. Check it, or go to the start page."
)


def wants_html(request: Request) -> bool:
    """A browser asking for a page: not an API address, and HTML among what it accepts."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def body(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    *,
    challenge: str = 'Cookie realm="alarmvern"',
) -> JSONResponse:
    """The shared error shape; ``challenge`` says how to authenticate, on a 401."""
    headers = {"WWW-Authenticate": challenge} if status == 401 else None
    content = {"status": status, "code": code, "message": message, "field": field}
    return JSONResponse(content, status_code=status, headers=headers)


@dataclass(frozen=True)
class Problem:
    """An error as the web answers it. ``texts`` holds the bokmål and the English message
    where the error gives both; an :class:`ApiError` gives one text, already as it is shown."""

    status: int
    code: str
    message: str
    field: str | None = None
    texts: tuple[str, str] | None = None


def problem(exc: Exception) -> Problem:
    """What any error a route lets out says: the domain's own errors (a conflict with the
    state of things unless the class says otherwise, ``http_status``), an :class:`ApiError`
    as it is, the first fault of a request that fails validation, and for anything else
    an internal error that tells nothing of its cause."""
    if isinstance(exc, ApiError):
        return Problem(exc.status, exc.code, exc.message, exc.field)
    if isinstance(exc, AlarmvernError):
        status = int(exc.http_status)
        code = exc.code or CODES.get(status, "error")
        return Problem(status, code, exc.message, exc.field, exc.texts())
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        skip = ("body", "query", "path", "header")
        field = ".".join(str(p) for p in first.get("loc", ()) if p not in skip) or None
        message = str(first.get("msg", "invalid request"))
        where = field or "?"  # a page names the field in both languages, not the parser's words
        texts = (f"ugyldig felt: {where}", f"invalid field: {where}")
        return Problem(422, "invalid", f"{field}: {message}" if field else message, field, texts)
    return Problem(500, "internal", INTERNAL, texts=("intern feil", "internal error"))


INTERNAL = "intern feil / internal error"


def render(request: Request, exc: Exception, *, page: bool) -> Response:
    """The one rendering of an error: a page (``page``) or the JSON shape."""
    found = problem(exc)
    if not page:
        return body(found.status, found.code, found.message, found.field)
    from alarmvern.web.pages.render import error_page  # the pages import this module

    return error_page(request, found.status, found.message, texts=found.texts)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return render(request, exc, page=False)

    @app.exception_handler(AlarmvernError)
    async def domain_error(request: Request, exc: AlarmvernError) -> Response:
        return render(request, exc, page=False)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return render(request, exc, page=False)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and wants_html(request):
            from alarmvern.web.pages.render import error_page  # the pages import this module

            return error_page(request, 404, NOT_FOUND)
        return body(exc.status_code, CODES.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> Response:
        log.error("web: unexpected %s", type(exc).__name__)  # no message: it may hold data
        return body(500, "internal", INTERNAL)
