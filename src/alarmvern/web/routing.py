"""Routing that does not try every route for every request.

Starlette (and FastAPI over it) tries an app's routes in order, each with its regular
expression, until one matches; an included router is tried route by route in turn. With
about 120 routes, a page near the end cost more to find than a trivial endpoint costs to
answer. :class:`UnderPrefix` puts a router's routes behind the one prefix every one of
them has (an ``APIRouter``'s ``prefix`` is part of each of its paths, and of each router's
it includes), so a path elsewhere passes it with one string comparison.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send


class UnderPrefix(BaseRoute):
    """``inner`` (the routes one ``include_router`` added), tried only for paths that start
    with ``prefix``; everything else is ``inner``'s own (matching, handling, URLs)."""

    def __init__(self, prefix: str, inner: BaseRoute) -> None:
        if not prefix.startswith("/"):
            raise ValueError(f"a router's prefix starts with '/': {prefix!r}")
        self.prefix = prefix
        self.inner = inner

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # Behind a root path (none is set here), the inner routes decide as they always did.
        outside = not scope.get("root_path") and not scope["path"].startswith(self.prefix)
        if scope["type"] not in ("http", "websocket") or outside:
            return Match.NONE, {}
        return self.inner.matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        return self.inner.url_path_for(name, **path_params)

    def __repr__(self) -> str:
        return f"UnderPrefix({self.prefix!r}, {self.inner!r})"
