"""What the benchmarks share: throwaway PostgreSQL databases, and loading rows in batches.

Imported by the scripts beside it (``python bench/x.py`` puts this folder on the path).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, Table
from sqlalchemy.engine import make_url

from alarmvern.store.writes import insert_many


class ScratchDatabases:
    """Databases made on the server of ``admin`` and dropped, every one, when done."""

    def __init__(self, admin: str, prefix: str) -> None:
        self.admin, self.prefix = admin, prefix
        self.names: list[str] = []

    def create(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of ``template``, a URL made here); its URL."""
        name = f"alarmvern_bench_{self.prefix}_{uuid.uuid4().hex[:6]}"
        copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        self.names.append(name)
        return make_url(self.admin).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.names.clear()


@contextmanager
def scratch_databases(admin: str, prefix: str) -> Iterator[ScratchDatabases]:
    databases = ScratchDatabases(admin, prefix)
    try:
        yield databases
    finally:
        databases.drop_all()


def load_batches(engine: Engine, table: Table, batches: Iterable[list[dict[str, Any]]]) -> int:
    """Insert each batch in its own transaction, showing the rate; returns the row count."""
    built = 0
    began = time.perf_counter()
    for rows in batches:
        with engine.begin() as conn:
            insert_many(conn, table, rows)
        built += len(rows)
        rate = built / (time.perf_counter() - began)
        print(f"\r  built {built:,} {table.name} ({rate:,.0f}/s)", end="", flush=True)
    print()
    return built


def checkpoint(engine: Engine) -> None:
    """SQLite: fold the WAL into the database file, so that what is timed next starts clean."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside a transaction, where a checkpoint may run
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
