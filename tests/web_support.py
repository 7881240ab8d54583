"""The web API under test: a real System (data dir, master key, migrated store) on SQLite or
PostgreSQL, a small world of people and incidents, a login for each role, and TestClients.

Test modules import the fixtures they use (``from tests.web_support import web  # noqa``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from alarmvern.initialise import initialise
from alarmvern.intake import incidents as inc
from alarmvern.settings import Settings
from alarmvern.store import tables as t
from alarmvern.system import System, open_system
from alarmvern.web.app import create_app
from alarmvern.web.deps import CSRF_HEADER
from alarmvern.web.security import Role, create_login
from tests import builders as b
from tests import rights_world

PASSWORD = "riktig-hest-batteri"
# Who can log in: the role names, and a second customer (the neighbour) for "not yours".
USERS = ("customer", "neighbour", "operator", "customer_service", "dpo", "admin")
ROLES = ("anonymous", "customer", "operator", "customer_service", "dpo", "admin")


@dataclass
class WebWorld:
    kari: rights_world.World  # Kari (the customer) and Ola (her neighbour), everywhere
    incident: int  # open, at Kari's site, with an image
    image: int  # the open incident's image
    on_demand: int  # an image Kari took from the app: hers alone
    neighbour_image: int  # an image at the neighbour's
    contact: int  # an alarm contact (a row of alarm_contacts) at Kari's site
    contact_person: int
    logins: dict[str, int]  # user → login id
    package_request: int = 0  # a request whose access package is built (set by a test)

    @property
    def person(self) -> int:
        return self.kari.person

    @property
    def account(self) -> int:
        return self.kari.account

    @property
    def site(self) -> int:
        return self.kari.site

    def actor(self, user: str) -> str:
        role = "customer" if user == "neighbour" else user
        return f"{role}:{self.logins[user]}"


@dataclass
class Web:
    system: System
    world: WebWorld

    def client(self, user: str | None = None) -> TestClient:
        """A client, logged in as ``user`` (with the CSRF header set) unless None."""
        client = TestClient(create_app(self.system))
        if user is not None:
            client.headers[CSRF_HEADER] = login(client, user)
        return client


def login(client: TestClient, user: str) -> str:
    """Log in as ``user`` (one of USERS); the session's CSRF token."""
    answer = client.post("/api/v1/login", json={"username": user, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["csrf_token"]
    return token


def build_world(system: System) -> WebWorld:
    vault = system.vault
    with system.engine.begin() as conn:
        kari = rights_world.build(conn, vault)
        opened = rights_world.NOW - timedelta(minutes=30)
        incident = inc.open_incident(
            conn, account_id=kari.account, site_id=kari.site, kind="burglary", at=opened
        )
        image, _ = b.image(conn, vault, kari.account, opened, incident=incident)
        on_demand, _ = b.image(conn, vault, kari.account, opened)
        conn.execute(t.media.update().where(t.media.c.id == on_demand).values(on_demand=True))
        neighbour_image, _ = b.image(conn, vault, kari.neighbour_account, opened)
        contact_person = b.person(conn, name="Per Kontakt", phone="+4798765432", email=None)
        contact = b.insert(
            conn,
            t.alarm_contacts,
            account_id=kari.account,
            site_id=kari.site,
            person_id=contact_person,
            priority=1,
            has_keys=True,
        )
        logins = {}
        for user in USERS:
            role = Role.customer if user == "neighbour" else Role(user)
            person = {"customer": kari.person, "neighbour": kari.neighbour}.get(user)
            logins[user] = create_login(
                conn,
                username=user,
                password=PASSWORD,
                role=role,
                person_id=person,
                display_name=user.replace("_", " ").title(),
            )
    return WebWorld(
        kari, incident, image, on_demand, neighbour_image, contact, contact_person, logins
    )


def open_web(data_dir: Path, database_url: str | None) -> Web:
    settings = Settings(data_dir=data_dir, database_url=database_url, policy="default")
    initialise(settings)
    system = open_system(settings)
    return Web(system, build_world(system))


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def web(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Web]:
    """The API over a fresh world; each test using it runs on both databases."""
    url = None
    if request.param == "postgresql":
        url = database_url(request.getfixturevalue("pg_engine"))
    opened = open_web(tmp_path / f"data-{uuid.uuid4().hex[:6]}", url)
    yield opened
    opened.system.close()


@pytest.fixture
def sqlite_web(tmp_path: Path) -> Iterator[Web]:
    """The API over a fresh world on SQLite only (for the long walks)."""
    opened = open_web(tmp_path / "data", None)
    yield opened
    opened.system.close()
