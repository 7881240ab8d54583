"""Fixtures: a fresh, migrated store on SQLite and on PostgreSQL for every storage test.

Storage tests take ``engine`` and so run twice, once per database. PostgreSQL databases are
copied from a migrated template, which is much faster than migrating each one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from alarmvern.store import migrate
from alarmvern.store.engine import create_store_engine
from tests.pg_server import admin_url

TEMPLATE = f"alarmvern_tpl_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[str]:
    url = admin_url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    template_url = _with_database(url, TEMPLATE)
    engine = create_store_engine(template_url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_admin: str) -> Iterator[Engine]:
    name = f"alarmvern_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    engine = create_store_engine(_with_database(pg_admin, name))
    yield engine
    engine.dispose()
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_key_store_url(pg_admin: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own, for a key store (its table made on first use)."""
    name = f"alarmvern_k_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(pg_admin, name)
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty store; each test using it runs on both databases."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_engine")
    return request.getfixturevalue("sqlite_engine")
