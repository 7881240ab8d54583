"""Logins, passwords and sessions.

Passwords are argon2 hashes (argon2-cffi). A session is a random token in a secure,
HttpOnly, SameSite=Lax cookie; the store keeps only its SHA-256, with the session's CSRF
token, which every form and every unsafe API call made with the cookie must send back.
Failed logins are throttled per username and per client address, in this process's memory:
one server process serves the web (`alarmvern serve`).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, delete, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.store.tables import logins, sessions
from alarmvern.store.tables._columns import as_utc

SESSION_LIFETIME = timedelta(hours=8)
COOKIE = "alarmvern_session"
_hasher = PasswordHasher()


class Role(StrEnum):
    customer = "customer"
    operator = "operator"
    customer_service = "customer_service"
    dpo = "dpo"
    admin = "admin"


STAFF = frozenset({Role.operator, Role.customer_service, Role.dpo, Role.admin})


@dataclass(frozen=True)
class Principal:
    login_id: int
    username: str
    role: Role
    person_id: int | None
    display_name: str | None
    csrf_token: str = ""

    @property
    def actor(self) -> str:
        """How the audit log names them: role and login, never their name."""
        return f"{self.role.value}:{self.login_id}"


class LoginError(AlarmvernError):
    """Wrong username or password, a disabled login, or too many attempts."""


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise AlarmvernError("passordet må ha minst 10 tegn / the password needs 10 characters")
    return _hasher.hash(password)


def create_login(
    conn: Connection,
    *,
    username: str,
    password: str,
    role: Role,
    person_id: int | None = None,
    display_name: str | None = None,
) -> int:
    if role is Role.customer and person_id is None:
        raise AlarmvernError("a customer login must name the customer's person")
    key = conn.execute(
        logins.insert().values(
            username=username.strip().lower(),
            password_hash=hash_password(password),
            role=role.value,
            person_id=person_id,
            display_name=display_name,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


LOGIN_FAILURES = 5  # per username and per address, in THROTTLE_WINDOW seconds
THROTTLE_WINDOW = 300.0


class Throttle:
    """At most ``limit`` failures per key in ``window`` seconds."""

    def __init__(self, limit: int = LOGIN_FAILURES, window: float = THROTTLE_WINDOW) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                failures = self._failures[key]
                while failures and failures[0] < now - self.window:
                    failures.popleft()
                if len(failures) >= self.limit:
                    return True
        return False

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures[key].append(time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def authenticate(
    conn: Connection, username: str, password: str, *, client: str, throttle: Throttle
) -> Principal:
    name = username.strip().lower()
    if throttle.blocked(f"user:{name}", f"ip:{client}"):
        raise LoginError("for mange forsøk; vent noen minutter / too many attempts, wait a while")
    row = conn.execute(select(logins).where(logins.c.username == name)).first()
    if row is None or row.disabled_at is not None or not _verify(row.password_hash, password):
        throttle.failed(f"user:{name}", f"ip:{client}")
        raise LoginError("feil brukernavn eller passord / wrong username or password")
    throttle.succeeded(f"user:{name}")
    return _principal(row, "")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _principal(row: Row[Any], csrf: str) -> Principal:
    return Principal(
        int(row.id), row.username, Role(row.role), row.person_id, row.display_name, csrf
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: Connection, principal: Principal) -> tuple[str, Principal]:
    """A new session; returns the cookie's token and the principal with its CSRF token."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    conn.execute(
        sessions.insert().values(
            token_hash=_digest(token),
            login_id=principal.login_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    audit.append(conn, actor=principal.actor, action="login", details={"role": principal.role})
    return token, Principal(**{**principal.__dict__, "csrf_token": csrf})


def session_principal(conn: Connection, token: str) -> Principal | None:
    row = conn.execute(
        select(logins, sessions.c.csrf_token, sessions.c.expires_at)
        .join(sessions, sessions.c.login_id == logins.c.id)
        .where(sessions.c.token_hash == _digest(token))
    ).first()
    if row is None or row.disabled_at is not None or as_utc(row.expires_at) < datetime.now(UTC):
        return None
    return _principal(row, row.csrf_token)


def close_session(conn: Connection, token: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(given or "", expected)
