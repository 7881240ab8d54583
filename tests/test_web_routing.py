"""Finding a route (#15 item 5): a page is found behind its router's prefix, without trying
the API's routes one by one, and the answers are those of plain routing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from alarmvern.initialise import initialise
from alarmvern.settings import Settings
from alarmvern.system import System, open_system
from alarmvern.web.app import create_app


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    settings = Settings(data_dir=tmp_path / "data")
    initialise(settings)
    opened = open_system(settings)
    yield opened
    opened.close()


def _tried(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the FastAPI routes whose pattern is tried, from now on."""
    tried: list[str] = []
    matches = APIRoute.matches

    def spy(self: APIRoute, scope: Scope) -> tuple[Match, Scope]:
        tried.append(self.path)
        return matches(self, scope)

    monkeypatch.setattr(APIRoute, "matches", spy)
    return tried


@pytest.mark.parametrize("path", ["/operator/hendelse/1", "/mine-sider/alarmlogg"])
def test_a_page_is_found_without_trying_the_api_or_other_pages(
    system: System, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(system), follow_redirects=False)
    tried = _tried(monkeypatch)
    answer = client.get(path)
    assert answer.status_code == 303  # to the login page: found, and not logged in
    # The page's own router's routes (an included router's paths are its own, unprefixed).
    assert tried and not any(p.startswith(("/api/", "/personvern", "/kundeservice")) for p in tried)
    assert len(tried) < 40, tried  # (FastAPI tries the chosen router twice)


def test_routes_answer_as_before(system: System) -> None:
    """Pages, the API, a wrong method, a trailing slash and a path nobody serves."""
    client = TestClient(create_app(system), follow_redirects=False)
    assert client.get("/login").status_code == 200
    assert client.get("/operator").headers["location"].startswith("/login")
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/intake/media").status_code == 405
    assert client.delete("/operator/hendelse/1/lukk").status_code == 405
    assert client.get("/operator/").status_code == 307  # to /operator, as Starlette does
    assert client.get("/operatorer").status_code == 404
    assert client.get("/static/app.css").status_code == 200
    assert "/api/v1/login" in client.get("/api/v1/openapi.json").json()["paths"]


class _Inner(BaseRoute):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        self.asked.append(scope["path"])
        return Match.FULL, {"found": True}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("not called here")

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        return f"/x/{name}"


def _scope(path: str, **more: Any) -> Scope:
    return {"type": "http", "path": path, "method": "GET", **more}


def test_under_prefix_asks_its_routes_only_under_the_prefix() -> None:
    from alarmvern.web.routing import UnderPrefix

    inner = _Inner()
    gate = UnderPrefix("/x", inner)
    assert gate.matches(_scope("/y/1")) == (Match.NONE, {})
    assert gate.matches(_scope("/x/1")) == (Match.FULL, {"found": True})
    # Behind a root path the inner routes decide, as without the gate.
    assert gate.matches(_scope("/app/x/1", root_path="/app"))[0] is Match.FULL
    assert inner.asked == ["/x/1", "/app/x/1"]
    assert gate.url_path_for("page") == "/x/page"
    with pytest.raises(ValueError):
        UnderPrefix("x", inner)
