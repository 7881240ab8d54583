"""The web application: the REST API under ``/api/v1`` and the pages, on one FastAPI app."""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from alarmvern import __name__ as package
from alarmvern.system import System
from alarmvern.web import errors
from alarmvern.web.limits import BodyLimit, NoStore

HERE = Path(__file__).parent
# Each of these modules has a ``router``; the order is the OpenAPI document's.
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
    "alarmvern.web.pages.common",
    "alarmvern.web.pages.passwords",
    "alarmvern.web.pages.mine_sider",
    "alarmvern.web.pages.operator",
    "alarmvern.web.pages.plans",
    "alarmvern.web.pages.dpo",
    "alarmvern.web.pages.dpo_breaches",
    "alarmvern.web.pages.dpo_record",
    "alarmvern.web.pages.customer_service",
)


def create_app(system: System) -> FastAPI:
    """The API and the pages on ``system``. Many processes may serve the same app: they
    share everything through the database, login failures included."""
    app = FastAPI(
        title="alarmvern",
        version=_version(),
        description="Personvern som kjørbar kode / the privacy notice as code: the API.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.system = system
    errors.install(app)
    app.add_middleware(NoStore)
    app.add_middleware(BodyLimit)  # the outermost: before anything reads the body
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "dev"
