"""One JSON shape for every API error: ``{"status", "code", "message", "field"}``.

Pages get the same message in a page of their own; the API never answers with a stack trace.
An address that matches no route is answered as the asker reads: a page for a browser, the
JSON shape for the API and for clients that ask for JSON (:func:`wants_html`).
"""

from __future__ import annotations

import logging

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


def invalid(exc: RequestValidationError) -> JSONResponse:
    """A request that fails validation: the first fault, with the field it concerns."""
    first = exc.errors()[0] if exc.errors() else {}
    where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    field = ".".join(where) or None
    message = str(first.get("msg", "invalid request"))
    return body(422, "invalid", f"{field}: {message}" if field else message, field)


def domain(exc: AlarmvernError) -> JSONResponse:
    """The domain's own errors say what was wrong and what to do: a conflict with the state
    of things, unless the error class says otherwise (``http_status``)."""
    status = int(getattr(exc, "http_status", 409))
    return body(status, CODES.get(status, "error"), str(exc), getattr(exc, "field", None))


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> Response:
        return body(exc.status, exc.code, exc.message, exc.field)

    @app.exception_handler(AlarmvernError)
    async def domain_error(_request: Request, exc: AlarmvernError) -> Response:
        return domain(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> Response:
        return invalid(exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and wants_html(request):
            from alarmvern.web.pages.render import error_page  # the pages import this module

            return error_page(request, 404, NOT_FOUND)
        return body(exc.status_code, CODES.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> Response:
        log.error("web: unexpected %s", type(exc).__name__)  # no message: it may hold data
        return body(500, "internal", "intern feil / internal error")
