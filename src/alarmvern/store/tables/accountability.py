"""The breach register (art. 33(5)): every breach, the people it touched, the drafts made."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text

from alarmvern.store.datamap import Binding, Unbound, bind
from alarmvern.store.tables.columns import Id, Json, Timestamp, id_column, metadata, person_fk

breaches = bind(
    Table(
        "breaches",
        metadata,
        id_column(),
        Column("title", String(200), nullable=False),
        Column("description", Text, nullable=False),  # what happened, in words; no personal data
        Column("began_at", Timestamp),
        Column("discovered_at", Timestamp, nullable=False),  # awareness: the 72 hours run from it
        Column("registered_at", Timestamp, nullable=False),
        Column("registered_by", String(100), nullable=False),
        Column("categories", Json, nullable=False),  # policy category keys
        Column("people_count", Integer),
        Column("records_count", Integer),
        Column("consequences", Text, nullable=False),
        Column("measures", Text, nullable=False),
        Column("controller", String(200)),  # the business customer, where we are the processor
        Column("notify_authority", Boolean),  # None until decided
        Column("notify_people", Boolean),
        Column("decision_reasons", Text),
        Column("decided_at", Timestamp),
        Column("decided_by", String(100)),
    ),
    Unbound("facts about an incident, counts and category keys; no person is named"),
)

breach_affected = bind(
    Table(
        "breach_affected",
        metadata,
        id_column(),
        Column("breach_id", Id, ForeignKey("breaches.id"), nullable=False, index=True),
        person_fk(nullable=False),
        Column("source", String(200), nullable=False),  # how they were found (audit, blobs, hand)
        Column("added_at", Timestamp, nullable=False),
    ),
    Binding(
        label=("Berørt av brudd på sikkerheten", "Affected by a security breach"),
        labels={
            "breach_id": ("Brudd", "Breach"),
            "source": ("Funnet ved", "Found by"),
            "added_at": ("Lagt til", "Added"),
        },
        category="user.privacy_request",
        subjects=("customer", "panel_user", "alarm_contact"),
        subject="person_id",
        anchors={"captured": "added_at", "request_closed": "added_at"},
    ),
)

breach_drafts = bind(
    Table(
        "breach_drafts",
        metadata,
        id_column(),
        Column("breach_id", Id, ForeignKey("breaches.id"), nullable=False, index=True),
        Column("kind", String(16), nullable=False),  # authority | person | controller
        person_fk(),  # the addressee, for kind person
        Column("body_nb", Text, nullable=False),
        Column("body_en", Text, nullable=False),
        Column("created_at", Timestamp, nullable=False),
        # email | sms: the outbox took it; hand: the DPO sends it; failed: tried again next time
        Column("to_send_by", String(16)),
        Column("sent_at", Timestamp),
        Column("sent_by", String(100)),
    ),
    Binding(
        label=("Varsler om brudd på sikkerheten", "Breach notices"),
        labels={
            "breach_id": ("Brudd", "Breach"),
            "body_nb": ("Tekst (bokmål)", "Text (bokmål)"),
            "body_en": ("Tekst (engelsk)", "Text (English)"),
            "to_send_by": ("Sendes med", "To be sent by"),
            "sent_at": ("Sendt", "Sent"),
            "sent_by": ("Sendt av", "Sent by"),
        },
        category="user.privacy_request",
        subjects=("customer", "panel_user", "alarm_contact"),
        subject="person_id",
        anchors={"captured": "created_at", "request_closed": "created_at"},
    ),
)
