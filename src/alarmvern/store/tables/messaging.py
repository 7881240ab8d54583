"""What the outbox sent, and the single-use tokens of activation and password-reset links."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table

from alarmvern.store.datamap import Binding, Unbound, bind
from alarmvern.store.tables.columns import Id, Timestamp, id_column, metadata, person_fk

# One row per message sent (or failed): to whom by keyed hash only, which template, when.
# The body is never stored; the template and the rows it was made from can rebuild it.
outbox_messages = bind(
    Table(
        "outbox_messages",
        metadata,
        id_column(),
        person_fk(),
        Column("channel", String(8), nullable=False),  # email | sms
        Column("recipient_hash", String(64), nullable=False, index=True),
        Column("template", String(64), nullable=False),
        Column("status", String(8), nullable=False),  # sent | failed
        Column("error", String(64)),  # the failure's kind, never its text
        Column("sent_at", Timestamp, nullable=False),
    ),
    Binding(
        label=("Sendte meldinger", "Messages sent"),
        labels={
            "channel": ("Kanal", "Channel"),
            "recipient_hash": ("Kode for mottakeren", "Code of the recipient"),
            "template": ("Mal", "Template"),
            "error": ("Feil", "Error"),
            "sent_at": ("Sendt", "Sent"),
        },
        category="user.content.correspondence",
        subjects=("customer", "panel_user", "alarm_contact", "course_participant"),
        subject="person_id",
        hashed="recipient_hash",
        anchors={"captured": "sent_at", "fiscal_year_end": "sent_at"},
    ),
)

login_tokens = bind(
    Table(
        "login_tokens",
        metadata,
        Column("token_hash", String(64), primary_key=True),
        Column("login_id", Id, ForeignKey("logins.id"), nullable=False, index=True),
        Column("purpose", String(16), nullable=False),  # activate | reset
        Column("created_at", Timestamp, nullable=False),
        Column("expires_at", Timestamp, nullable=False),
        Column("used_at", Timestamp),
    ),
    Unbound("a login's single-use link tokens (SHA-256 only), deleted when used or expired"),
)
