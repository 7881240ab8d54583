"""Bounded input and cache rules for every answer, as ASGI middleware (outside the routes, so
before any authentication, parsing or spooling to disk).

- :class:`BodyLimit`: each route has a largest request body (:func:`body_limit`). A
  ``Content-Length`` above it is refused at once, before a byte is read; a body without one
  (chunked) is counted as it streams and refused the moment it passes the limit. Either way
  the answer is 413 in the API's JSON error shape. Starlette has no such limit of its own,
  and uvicorn none per route: this is the small piece of ASGI that does it.
- :class:`NoStore`: API answers carry ``Cache-Control: no-store`` (they hold personal data;
  the pages and media set it themselves), except the public OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from alarmvern.customers.importing import MAX_BYTES as MAX_IMPORT_BYTES
from alarmvern.intake.calls import MAX_AUDIO_BYTES
from alarmvern.intake.media import MAX_MEDIA_BYTES
from alarmvern.web.errors import body as error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

OPENAPI = "/api/v1/openapi.json"  # public, and cacheable
SMALL = 64 * 1024  # JSON bodies and page forms
FORM_MARGIN = 1024 * 1024  # a multipart upload's other fields and boundaries
# Path prefixes with a larger allowance: the file routes, their own limit plus the margin.
LARGE: tuple[tuple[str, int], ...] = (
    ("/api/v1/intake/media", MAX_MEDIA_BYTES + FORM_MARGIN),
    ("/api/v1/intake/calls", MAX_AUDIO_BYTES + FORM_MARGIN),
    ("/kundeservice/import", MAX_IMPORT_BYTES + FORM_MARGIN),
)


def body_limit(path: str) -> int:
    """The largest request body ``path`` takes, in bytes."""
    for prefix, limit in LARGE:
        if path == prefix or path.startswith(prefix + "/"):
            return limit
    return SMALL


def _too_large(limit: int) -> Any:
    return error_body(
        413,
        "too_large",
        f"forespørselen er for stor (over {limit} byte) / "
        f"the request is too large (over {limit} bytes)",
    )


class _Exceeded(Exception):
    pass


class BodyLimit:
    """Refuse request bodies above the route's limit with 413, before the route sees them."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            await _too_large(limit)(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _Exceeded  # the route stops reading; whatever it answers, 413
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if exceeded:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _too_large(limit)(scope, receive, send)
                return  # the route's own answer (an error about the broken body) is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except _Exceeded:
            if not started:
                await _too_large(limit)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1  # not a number: refused like a body too large to say
    return None


class NoStore:
    """``Cache-Control: no-store`` on every API answer that does not set its own."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/") or path == OPENAPI:
            await self.app(scope, receive, send)
            return

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, marked)
