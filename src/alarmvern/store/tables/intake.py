"""What the alarm centre needs to take data in and handle it: devices, panel keys, and the
steps of each incident with the operators assigned to it."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text

from alarmvern.store.datamap import Binding, Stored, Unbound, Via, bind
from alarmvern.store.tables.columns import (
    Id,
    Json,
    Timestamp,
    account_fk,
    created_at,
    id_column,
    metadata,
    person_fk,
)

# A camera, the app on a phone, or the phone system: what may upload, and for which site or
# person. The token itself is never stored, only its SHA-256 (it is 32 random bytes, so a
# slow password hash would add nothing but latency to every upload).
devices = bind(
    Table(
        "devices",
        metadata,
        id_column(),
        Column("kind", String(16), nullable=False),  # camera | app | phone_system
        account_fk(),
        Column("site_id", Id, ForeignKey("sites.id"), index=True),
        person_fk(),  # the app's user
        Column("name", String(100)),
        Column("token_hash", String(64), nullable=False, unique=True),
        Column("revoked_at", Timestamp),
        created_at(),
    ),
    Binding(
        label=("Enheter", "Devices"),
        labels={
            "token_hash": ("Tilgangsnøkkel", "Access token"),
            "revoked_at": ("Trukket tilbake", "Revoked"),
        },
        stored={"token_hash": Stored.credential},
        category="user.alarm.system",
        subjects=("customer", "panel_user"),
        subject="person_id",
        account="account_id",
        anchors={"relationship_end": Via("account_id", "customer_accounts", "ended_at")},
    ),
)

# The AES key a panel encrypts SIA DC-09 with, encrypted under the vault ("system:sia").
panel_keys = bind(
    Table(
        "panel_keys",
        metadata,
        Column("panel_account", String(16), primary_key=True),
        Column("key_enc", Text, nullable=False),
        Column("form", String(4), nullable=False),  # text | hex: vendors write keys both ways
        created_at(),
    ),
    Unbound("key material for a panel's encryption"),
)

# What the receiver demands of one panel account. ``encryption_required`` NULL means the secure
# default: required when the panel has a key. ``rate_limited_at`` is the receiver's flag: the
# last time it refused this account's frames for coming faster than the rate limit.
panel_settings = bind(
    Table(
        "panel_settings",
        metadata,
        Column("panel_account", String(16), primary_key=True),
        Column("encryption_required", Boolean),
        Column("clear_timestamps_checked", Boolean, nullable=False, default=False),
        Column("rate_limited_at", Timestamp),
        Column("updated_at", Timestamp),
    ),
    Unbound("how a panel must talk to the receiver, keyed by its account number"),
)

# Each step of handling an incident: assigned, contacts called (with the outcome), guard
# dispatched, police notified (with the case number), closed (with the cause).
incident_steps = bind(
    Table(
        "incident_steps",
        metadata,
        id_column(),
        Column("incident_id", Id, ForeignKey("incidents.id"), nullable=False, index=True),
        account_fk(),
        person_fk(),  # the alarm contact called, if any
        Column("step", String(32), nullable=False),
        Column("actor", String(100), nullable=False),
        Column("at", Timestamp, nullable=False),
        Column("details", Json),  # outcome, case number, cause: no free text about people
    ),
    Binding(
        label=("Håndtering av alarmer", "Handling of alarms"),
        labels={
            "person_id": ("Kontakt ringt", "Contact called"),
            "step": ("Steg", "Step"),
            "actor": ("Utført av", "Done by"),
            "at": ("Tidspunkt", "Time"),
            "details": ("Detaljer", "Details"),
        },
        category="user.alarm.incident",
        subjects=("customer", "alarm_contact"),
        subject="person_id",
        account="account_id",
        anchors={
            "captured": "at",
            "incident_closed": Via("incident_id", "incidents", "closed_at"),
            "relationship_end": Via("account_id", "customer_accounts", "ended_at"),
        },
        shared=True,  # erasing a contact keeps the account's record that someone was called
    ),
)

# Which operator is assigned to which incident: what they may see follows from it.
operator_assignments = bind(
    Table(
        "operator_assignments",
        metadata,
        id_column(),
        Column("incident_id", Id, ForeignKey("incidents.id"), nullable=False, index=True),
        Column("operator", String(100), nullable=False, index=True),
        Column("assigned_at", Timestamp, nullable=False),
        Column("released_at", Timestamp),
    ),
    Unbound("which member of staff handles an incident; the incident keeps its own binding"),
)
