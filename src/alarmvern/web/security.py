"""Logins, passwords and sessions.

Passwords are argon2 hashes (argon2-cffi). A session is a random token in a secure,
HttpOnly, SameSite=Lax cookie; the store keeps only its SHA-256, with the session's CSRF
token, which every form and every unsafe API call made with the cookie must send back.
Failed logins are throttled per username and per client address in the database, shared by
every web process (:mod:`alarmvern.web.throttle`). A session ends after ``SESSION_LIFETIME``,
or after ``IDLE_TIMEOUT`` without a request.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, Row, bindparam, delete, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.store.engine import reading
from alarmvern.store.tables import logins, sessions
from alarmvern.store.tables.columns import as_utc
from alarmvern.web import throttle
from alarmvern.web.passwords import check_password

SESSION_LIFETIME = timedelta(hours=8)
IDLE_TIMEOUT = timedelta(minutes=30)  # without a request, a session ends
TOUCH_EVERY = timedelta(minutes=1)  # how often a request notes that the session is in use
SESSIONS_PER_LOGIN = 10  # a new login ends the oldest beyond these
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


def hash_password(password: str, username: str | None = None) -> str:
    """The Argon2 hash of a new password, once the policy accepts it
    (:func:`alarmvern.web.passwords.check_password`; raises ``WeakPassword``)."""
    check_password(password, username)
    return _hasher.hash(password)


def create_login(
    conn: Connection,
    *,
    username: str,
    password: str | None = None,
    role: Role,
    person_id: int | None = None,
    display_name: str | None = None,
    password_hash: str | None = None,
) -> int:
    """A new login in ``conn``'s transaction; its id.

    Give ``password_hash`` (from :func:`hash_password`, made before the transaction began)
    wherever alarm intake may share the database: argon2 is slow on purpose, and hashing
    ``password`` here holds the transaction's write lock for as long."""
    if role is Role.customer and person_id is None:
        raise AlarmvernError(
            "en kundeinnlogging må høre til kundens person",
            "a customer login must name the customer's person",
            field="person_id",
        )
    if password_hash is None:
        if password is None:
            raise AlarmvernError(
                "en ny innlogging trenger et passord",
                "a new login needs a password",
                field="password",
            )
        password_hash = hash_password(password, username)
    key = conn.execute(
        logins.insert().values(
            username=username.strip().lower(),
            password_hash=password_hash,
            role=role.value,
            person_id=person_id,
            display_name=display_name,
        )
    ).inserted_primary_key
    assert key is not None
    return int(key[0])


class LoginThrottled(LoginError):
    """Too many failures for this username or from this address: wait, then try again."""

    def __init__(self, wait: timedelta) -> None:
        self.wait_seconds = max(1, math.ceil(wait.total_seconds()))
        super().__init__(
            f"for mange forsøk; vent {self.wait_seconds} s",
            f"too many attempts, wait {self.wait_seconds} s",
        )


def log_in(engine: Engine, username: str, password: str, *, client: str) -> tuple[str, Principal]:
    """Check the password and open a session: the cookie's token and the principal.

    The throttle counts the attempt first (:mod:`alarmvern.web.throttle`); the login is read
    and the password checked outside any transaction, so that the ~0.1 s of Argon2 never
    holds a lock that intake waits for; only the session is written, in a short transaction.
    """
    name = username.strip().lower()
    attempt = throttle.gate(engine, name, client)
    if isinstance(attempt, throttle.Refused):
        raise LoginThrottled(attempt.wait)
    with reading(engine) as conn:
        row = conn.execute(select(logins).where(logins.c.username == name)).first()
    # An unknown username is checked against a hash of nothing, for as long as a real one
    # takes: the answer's time must not tell whether the user exists.
    right = _verify(_dummy_hash() if row is None else row.password_hash, password)
    if row is None or row.disabled_at is not None or not right:
        throttle.failed(engine)
        raise LoginError("feil brukernavn eller passord", "wrong username or password")
    with engine.begin() as conn:
        throttle.succeeded(conn, attempt)
        return open_session(conn, _principal(row, ""))


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


# Argon2 is CPU work on purpose. The kernel shares the CPU by thread, not by process, so forty
# logins checking at once would outweigh the receiver however low the web's priority; at
# most half the CPUs check passwords at once in a process, and the rest wait their turn.
_CHECKS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def _verify(stored: str, password: str) -> bool:
    try:
        with _CHECKS:
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
            last_seen_at=now,
        )
    )
    _end_oldest(conn, principal.login_id)
    audit.append(conn, actor=principal.actor, action="login", details={"role": principal.role})
    return token, Principal(**{**principal.__dict__, "csrf_token": csrf})


def _end_oldest(conn: Connection, login_id: int) -> None:
    kept = (
        select(sessions.c.token_hash)
        .where(sessions.c.login_id == login_id)
        .order_by(sessions.c.created_at.desc())
        .limit(SESSIONS_PER_LOGIN)
    )
    conn.execute(
        delete(sessions).where(
            sessions.c.login_id == login_id, sessions.c.token_hash.not_in(kept.scalar_subquery())
        )
    )


def session_principal(conn: Connection, token: str) -> Principal | None:
    found = _session(conn, token)
    return None if found is None else found[0]


def session_in_use(engine: Engine, token: str) -> Principal | None:
    """The session's principal, noting (at most once a minute, in a short write of its own)
    that it is in use, for the idle timeout."""
    with reading(engine) as conn:
        found = _session(conn, token)
    if found is None:
        return None
    who, seen = found
    now = datetime.now(UTC)
    if now - seen >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.token_hash == _digest(token))
                .values(last_seen_at=now)
            )
    return who


# Built once: every request with a cookie runs it.
_SESSION = (
    select(
        logins,
        sessions.c.csrf_token,
        sessions.c.expires_at,
        sessions.c.created_at.label("opened_at"),
        sessions.c.last_seen_at,
    )
    .join(sessions, sessions.c.login_id == logins.c.id)
    .where(sessions.c.token_hash == bindparam("token_hash"))
)


def _session(conn: Connection, token: str) -> tuple[Principal, datetime] | None:
    row = conn.execute(_SESSION, {"token_hash": _digest(token)}).first()
    if row is None or row.disabled_at is not None:
        return None
    now = datetime.now(UTC)
    seen = as_utc(row.last_seen_at if row.last_seen_at is not None else row.opened_at)
    if as_utc(row.expires_at) < now or now - seen > IDLE_TIMEOUT:
        return None
    return _principal(row, row.csrf_token), seen


def close_session(conn: Connection, token: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and secrets.compare_digest(given or "", expected)
