"""What the company keeps to prove it kept its promises: consents, requests, holds, keys, audit."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from alarmvern.store.datamap import Binding, Unbound, bind
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

consents = bind(
    Table(
        "consents",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("activity", String(64), nullable=False),  # the policy activity consented to
        Column("notice_version", String(64), nullable=False),
        Column("given_at", Timestamp, nullable=False),
        Column("withdrawn_at", Timestamp),
        Column("channel", String(32)),
    ),
    Binding(
        label=("Samtykker", "Consents"),
        labels={
            "activity": ("Formål", "Purpose"),
            "notice_version": ("Personvernerklæring (versjon)", "Privacy notice (version)"),
            "given_at": ("Gitt", "Given"),
            "withdrawn_at": ("Trukket", "Withdrawn"),
            "channel": ("Kanal", "Channel"),
        },
        category="user.privacy_preferences",
        subjects=("customer", "panel_user", "lead", "website_visitor"),
        subject="person_id",
        anchors={"consent_withdrawn": "withdrawn_at", "captured": "given_at"},
    ),
)

# An objection to direct marketing outlives erasure, so the identifier is kept only as a
# keyed hash: enough to recognise it again, not enough to read it.
marketing_suppressions = bind(
    Table(
        "marketing_suppressions",
        metadata,
        id_column(),
        Column("identifier_hash", String(64), nullable=False, unique=True),
        Column("kind", String(16), nullable=False),  # email | phone
        Column("objected_at", Timestamp, nullable=False),
    ),
    Binding(
        label=("Reservasjon mot markedsføring", "Objection to marketing"),
        labels={
            "identifier_hash": (
                "Kode for e-postadresse eller telefonnummer",
                "Code of the e-mail address or phone number",
            ),
            "objected_at": ("Reservert", "Objected"),
        },
        category="user.privacy_preferences.objection",
        subjects=("customer", "lead"),
        anchors={"captured": "objected_at"},
        hashed="identifier_hash",
    ),
)

rights_requests = bind(
    Table(
        "rights_requests",
        metadata,
        id_column(),
        person_fk(),
        Column("kind", String(16), nullable=False),  # access | portability | erasure | …
        Column("channel", String(16), nullable=False),
        Column("received_at", Timestamp, nullable=False),
        Column("verification", String(32)),
        Column("verified_at", Timestamp),
        Column("due_on", Date, nullable=False),
        Column("extended_to", Date),
        Column("extension_reason", Text),
        Column("status", String(16), nullable=False),
        Column("outcome", Text),
        Column("closed_at", Timestamp),
        Column("steps", Json),
    ),
    Binding(
        label=("Forespørsler om personvern", "Privacy requests"),
        labels={
            "channel": ("Kanal", "Channel"),
            "verification": ("Identitet bekreftet ved", "Identity verified by"),
            "verified_at": ("Identitet bekreftet", "Identity verified"),
            "due_on": ("Frist", "Deadline"),
            "extended_to": ("Forlenget til", "Extended to"),
            "extension_reason": ("Grunn til forlengelse", "Reason for extension"),
            "outcome": ("Utfall", "Outcome"),
            "closed_at": ("Avsluttet", "Closed"),
            "steps": ("Steg", "Steps"),
        },
        category="user.privacy_request",
        subjects=("customer", "panel_user", "alarm_contact", "lead", "caller"),
        subject="person_id",
        anchors={"request_closed": "closed_at"},
    ),
)

# Who received which person's data, when, on what basis: art. 19 notices are made from it.
disclosures = bind(
    Table(
        "disclosures",
        metadata,
        id_column(),
        person_fk(),
        account_fk(),
        Column("recipient", String(64), nullable=False),  # a policy recipient id
        Column("activity", String(64), nullable=False),
        Column("categories", Json, nullable=False),
        Column("disclosed_at", Timestamp, nullable=False),
        Column("reference", String(200)),  # e.g. a police case number
    ),
    Binding(
        label=("Utleveringer", "Disclosures"),
        labels={
            "recipient": ("Mottaker", "Recipient"),
            "activity": ("Formål", "Purpose"),
            "categories": ("Opplysninger", "Data"),
            "disclosed_at": ("Utlevert", "Disclosed"),
            "reference": ("Referanse", "Reference"),
        },
        category="user.privacy_request.disclosure",
        subjects=("customer", "panel_user", "alarm_contact", "third_party_on_premises"),
        subject="person_id",
        account="account_id",
        anchors={"captured": "disclosed_at"},
    ),
)

# Art. 18: while a row here is open, the person's data is kept but not used.
restrictions = bind(
    Table(
        "restrictions",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("request_id", Id, ForeignKey("rights_requests.id")),
        # accuracy | unlawful | legal_claim | objection: art. 18(1) (a)–(d)
        Column("reason", String(32), nullable=False),
        Column("placed_at", Timestamp, nullable=False),
        Column("lifted_at", Timestamp),
    ),
    Binding(
        label=("Begrensninger", "Restrictions"),
        labels={
            "reason": ("Grunn", "Reason"),
            "placed_at": ("Satt", "Placed"),
            "lifted_at": ("Opphevet", "Lifted"),
        },
        category="user.privacy_request",
        subjects=("customer", "panel_user", "alarm_contact", "lead"),
        subject="person_id",
        anchors={"request_closed": "lifted_at"},
    ),
)

# Art. 16: each correction, with the value it replaced (encrypted with the person's key, so
# that erasing the person shreds the history too).
rectifications = bind(
    Table(
        "rectifications",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("request_id", Id, ForeignKey("rights_requests.id")),
        Column("target_table", String(64), nullable=False),
        Column("target_id", Id, nullable=False),
        Column("column_name", String(64), nullable=False),
        Column("old_value_enc", Text),
        Column("changed_at", Timestamp, nullable=False),
        Column("changed_by", String(100), nullable=False),
    ),
    Binding(
        label=("Rettinger", "Corrections"),
        labels={
            "target_table": ("Rettet i", "Corrected in"),
            "target_id": ("Rettet rad", "Corrected row"),
            "column_name": ("Opplysning", "Item"),
            "old_value_enc": ("Tidligere verdi", "Previous value"),
            "changed_at": ("Rettet", "Corrected"),
            "changed_by": ("Rettet av", "Corrected by"),
        },
        category="user.privacy_request",
        subjects=("customer", "panel_user", "alarm_contact", "lead"),
        subject="person_id",
        columns={"old_value_enc": "user.privacy_request"},
        anchors={"request_closed": "changed_at"},
    ),
)

legal_holds = bind(
    Table(
        "legal_holds",
        metadata,
        id_column(),
        Column("target_table", String(64), nullable=False),
        Column("target_id", Id, nullable=False),
        Column("reason", Text, nullable=False),
        Column("placed_by", String(100), nullable=False),
        Column("placed_at", Timestamp, nullable=False),
        Column("ends_on", Date, nullable=False),
        Column("override", Text),
        Column("released_at", Timestamp),
    ),
    Unbound("names the row it holds back and why; the row keeps its own binding"),
)

policy_versions = bind(
    Table(
        "policy_versions",
        metadata,
        id_column(),
        Column("name", String(100), nullable=False),
        Column("version", String(64), nullable=False),
        Column("sha256", String(64), nullable=False, unique=True),
        Column("policy_date", Date, nullable=False),
        Column("applied_at", Timestamp, nullable=False),
        Column("source", Text, nullable=False),
    ),
    Unbound("the company's own policy text"),
)

# Who was told of a policy version before it applied (art. 13(3), 14(4)), and who has read
# that it changed (the Mine Sider banner): one row per person and version, told, read or both.
policy_notices = bind(
    Table(
        "policy_notices",
        metadata,
        id_column(),
        Column("version_id", Id, ForeignKey("policy_versions.id"), nullable=False),
        person_fk(nullable=False),
        Column("told_at", Timestamp),
        Column("channel", String(8)),  # email, when told by the outbox
        Column("read_at", Timestamp),
        created_at(),
        UniqueConstraint("version_id", "person_id"),
    ),
    Binding(
        label=("Varsler om endret personvernerklæring", "Notices of a changed privacy notice"),
        labels={
            "version_id": ("Versjon av erklæringen", "Version of the notice"),
            "told_at": ("Varslet", "Told"),
            "channel": ("Kanal", "Channel"),
            "read_at": ("Lest", "Read"),
        },
        category="user.content.correspondence",
        subjects=("customer",),
        subject="person_id",
        anchors={"captured": "created_at", "fiscal_year_end": "created_at"},
    ),
)

# One data key per data subject, wrapped by the master key. Deleting the row shreds the
# subject: their blobs and encrypted fields, wherever copies are, can no longer be read.
subject_keys = bind(
    Table(
        "subject_keys",
        metadata,
        Column("subject", String(64), primary_key=True),
        Column("wrapped_key", LargeBinary, nullable=False),
        Column("master_key_id", String(16), nullable=False),
        created_at(),
    ),
    Unbound("key material, not data about a person"),
)

# Append-only; each entry carries the hash of the one before (see alarmvern.audit).
audit_log = bind(
    Table(
        "audit_log",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column("at", Timestamp, nullable=False),
        Column("actor", String(100), nullable=False),
        Column("action", String(64), nullable=False),
        Column("subject", String(64)),  # a person or account id, never their data
        Column("purpose", String(100)),
        Column("details", Text, nullable=False),  # canonical JSON: counts and ids, no content
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        # "Who saw what for this incident" reads by purpose and groups by who, what and
        # which object; the index holds all it reads, so an incident looked at thousands
        # of times is summed from the index alone.
        Index("ix_audit_log_purpose_record", "purpose", "actor", "action", "subject", "at", "seq"),
    ),
    Unbound("identifiers and counts only, never content; kept to prove compliance (art. 5(2))"),
)
