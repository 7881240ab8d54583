"""The web application: the REST API under ``/api/v1`` and the pages, on one FastAPI app."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from alarmvern import __name__ as package
from alarmvern.system import System
from alarmvern.web import errors
from alarmvern.web.limits import BodyLimit, NoStore
from alarmvern.web.routing import UnderPrefix

HERE = Path(__file__).parent
# Each of these modules has a ``router``. The pages go first, each router with a prefix
# behind it (:class:`~alarmvern.web.routing.UnderPrefix`), the operator's and Mine Sider's
# first of all: a page is found after a few string comparisons, not after trying the API's
# routes one by one. No page path can match an API route or another page's (their
# prefixes differ), so the order changes no answer.
PAGES = (
    "alarmvern.web.pages.operator",
    "alarmvern.web.pages.mine_sider",
    "alarmvern.web.pages.plans",
    "alarmvern.web.pages.dpo",
    "alarmvern.web.pages.dpo_breaches",
    "alarmvern.web.pages.dpo_record",
    "alarmvern.web.pages.customer_service",
    "alarmvern.web.pages.common",
    "alarmvern.web.pages.passwords",
)
# The API's routers, in the OpenAPI document's order.
ROUTERS = (
    "alarmvern.web.api.session",
    "alarmvern.web.api.passwords",
    "alarmvern.web.api.policy",
    "alarmvern.web.api.people",
    "alarmvern.web.api.customers",
    "alarmvern.web.api.alarms",
    "alarmvern.web.api.panels",
    "alarmvern.web.api.rights",
    "alarmvern.web.api.retention",
    "alarmvern.web.api.breaches",
    "alarmvern.web.uploads",
)


def create_app(system: System) -> FastAPI:
    """The API and the pages on ``system``. Many processes may serve the same app: they
    share everything through the database, login failures included."""
    app = FastAPI(
        title="alarmvern",
        version=_version(),
        description="Personvern som kjørbar kode / the privacy notice as code: the API.",
        openapi_url=OPENAPI,
        docs_url=None,  # served below from the package's own copy of Swagger UI: no CDN
        redoc_url=None,
    )
    app.state.system = system
    errors.install(app)
    app.add_middleware(NoStore)
    app.add_middleware(BodyLimit)  # the outermost: before anything reads the body
    for name in PAGES:
        _include_page(app, importlib.import_module(name).router)
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _offline_docs(app)
    return app


def _include_page(app: FastAPI, router: APIRouter) -> None:
    """``router``'s routes on ``app``, behind its prefix when it has one. Pages are not in
    the OpenAPI document, which knows only FastAPI's own kinds of route."""
    before = len(app.router.routes)
    app.include_router(router)
    if router.prefix:
        added = app.router.routes[before:]
        app.router.routes[before:] = [UnderPrefix(router.prefix, route) for route in added]


OPENAPI = "/api/v1/openapi.json"
DOCS = "/api/docs"
# How a client proves who it is, for the OpenAPI document (the routes check it themselves).
SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey", "in": "cookie", "name": "alarmvern_session",
        "description": "Økten fra POST /api/v1/login / the session from POST /api/v1/login.",
    },
    "csrf": {
        "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
        "description": (
            "Kreves på alle endringer med økt-cookie: verdien `csrf_token` fra innloggingen / "
            "required on every change made with the session cookie: `csrf_token` from login."
        ),
    },
    "device": {
        "type": "http", "scheme": "bearer",
        "description": "Kameraer og telefonsystem / cameras and the phone system: device token.",
    },
}  # fmt: skip


def _offline_docs(app: FastAPI) -> None:
    """The API docs from swagger-ui-bundle's files (an alarm centre's network may have no
    internet), and the OpenAPI document with the ways to authenticate."""
    app.mount(
        f"{DOCS}/files", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs"
    )

    @app.get(DOCS, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI,
            title="alarmvern API",
            swagger_js_url=f"{DOCS}/files/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS}/files/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )  # fmt: skip
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "dev"
