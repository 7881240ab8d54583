"""Who may log in, and their sessions: customers on Mine Sider, and staff."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from alarmvern.store.datamap import Binding, Stored, Unbound, Via, bind
from alarmvern.store.tables.columns import (
    Id,
    Timestamp,
    created_at,
    id_column,
    metadata,
    person_fk,
)

# A customer's login names their person; a member of staff's names none (staff are not the
# data subjects of the privacy notice). Passwords are kept only as argon2 hashes.
logins = bind(
    Table(
        "logins",
        metadata,
        id_column(),
        Column("username", String(254), nullable=False, unique=True),
        Column("password_hash", String(200), nullable=False),
        # customer | operator | customer_service | dpo | admin
        Column("role", String(32), nullable=False),
        person_fk(),
        Column("display_name", String(200)),
        Column("disabled_at", Timestamp),
        created_at(),
    ),
    Binding(
        label=("Innlogginger", "Logins"),
        labels={
            "username": ("Brukernavn", "Username"),
            "password_hash": ("Passord", "Password"),
            "role": ("Rolle", "Role"),
            "disabled_at": ("Sperret", "Disabled"),
        },
        stored={"password_hash": Stored.credential},
        category="user.account",
        subjects=("customer",),
        subject="person_id",
        columns={
            "username": "user.contact.email",
            "password_hash": "user.authorization.credentials",
            "display_name": "user.name",
        },
        anchors={"relationship_end": Via("person_id", "persons", "relationship_ended_at")},
    ),
)

# Server-side sessions: the cookie holds a random token, the table only its SHA-256.
sessions = bind(
    Table(
        "sessions",
        metadata,
        Column("token_hash", String(64), primary_key=True),
        Column("login_id", Id, ForeignKey("logins.id"), nullable=False, index=True),
        Column("csrf_token", String(64), nullable=False),
        Column("created_at", Timestamp, nullable=False),
        Column("expires_at", Timestamp, nullable=False),
        # The last request it served (written at most once a minute): the idle timeout.
        Column("last_seen_at", Timestamp),
    ),
    Unbound("a login's open sessions, ended at logout, expiry or a new login"),
)

# Failed logins, counted per username and per client address, shared by every web process.
# The key is a SHA-256 of "user:<name>" or "ip:<address>", never the name or address; a row
# expires (and is deleted) a quarter of an hour after its last attempt.
login_throttle = bind(
    Table(
        "login_throttle",
        metadata,
        Column("key", String(64), primary_key=True),
        # failures in the window, plus the attempts being checked right now
        Column("hits", Integer, nullable=False),
        Column("next_at", Timestamp),  # in back-off: no attempt is checked before this
        Column("expires_at", Timestamp, nullable=False, index=True),
    ),
    Unbound("digests of usernames and addresses that failed to log in; gone within 15 minutes"),
)
