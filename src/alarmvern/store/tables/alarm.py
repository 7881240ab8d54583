"""What alarm panels, cameras, the app and the phone system produce."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from alarmvern.store.datamap import Binding, Unbound, Via, bind
from alarmvern.store.tables.columns import (
    Id,
    Json,
    Timestamp,
    account_fk,
    id_column,
    metadata,
    person_fk,
)

# The arm/disarm log and every other signal from a panel. The raw code and qualifier are
# stored as received; their meaning is mapped when read.
alarm_events = bind(
    Table(
        "alarm_events",
        metadata,
        id_column(),
        account_fk(index=False),  # ix_alarm_events_account_time leads with it (migration 0015)
        Column("site_id", Id, ForeignKey("sites.id"), index=True),
        person_fk("actor_person_id"),  # the panel user who armed or disarmed, when known
        Column("panel_account", String(16), nullable=False),
        Column("protocol", String(16), nullable=False),  # SIA-DCS | ADM-CID
        Column("sequence", String(4)),
        Column("code", String(8), nullable=False),
        Column("qualifier", String(4)),
        Column("zone", String(8)),
        Column("user_no", Integer),
        Column("method", String(32)),  # keypad, app, tag, remote …
        Column("occurred_at", Timestamp, nullable=False),
        Column("received_at", Timestamp, nullable=False),
        Column("raw", Text),
        Column("flagged", Boolean, nullable=False, default=False),
        # The frame's identity (line, account, sequence, timestamp, content), hashed: a frame
        # sent again because its ACK was lost is stored once (without a timestamp: within the
        # writer's resend window). NULL on rows from before revision 0003.
        Column("frame_key", String(32)),
        Column("area", String(8)),  # area / partition: SIA ``ri``, Contact ID group
        Index("ix_alarm_events_account_time", "account_id", "occurred_at"),
        Index("ix_alarm_events_occurred_at", "occurred_at"),
        # With the time: on PostgreSQL every unique key of a partitioned table includes it.
        Index("ux_alarm_events_frame_key", "frame_key", "occurred_at", unique=True),
    ),
    Binding(
        label=("Alarmlogg", "Alarm log"),
        labels={
            "actor_person_id": ("Utført av (person)", "Done by (person)"),
            "panel_account": ("Anleggsnummer (SIA)", "Panel account (SIA)"),
            "protocol": ("Protokoll", "Protocol"),
            "sequence": ("Sekvensnummer", "Sequence number"),
            "code": ("Hendelseskode", "Event code"),
            "qualifier": ("Kvalifikator", "Qualifier"),
            "zone": ("Sone", "Zone"),
            "user_no": ("Brukernummer", "User number"),
            "method": ("Hvordan", "How"),
            "occurred_at": ("Tidspunkt", "Time"),
            "received_at": ("Mottatt", "Received"),
            "raw": ("Melding fra anlegget", "Message from the panel"),
            "flagged": ("Merket", "Flagged"),
            "frame_key": ("Meldingsnøkkel", "Message key"),
            "area": ("Område", "Area"),
        },
        category="user.alarm.event",
        subjects=("customer", "panel_user"),
        subject="actor_person_id",
        account="account_id",
        anchors={
            "captured": "occurred_at",
            "relationship_end": Via("account_id", "customer_accounts", "ended_at"),
        },
        shared=True,
    ),
)

incidents = bind(
    Table(
        "incidents",
        metadata,
        id_column(),
        account_fk(),
        Column("site_id", Id, ForeignKey("sites.id"), index=True),
        Column("kind", String(32), nullable=False),  # burglary, fire, … or technical
        Column("status", String(32), nullable=False),
        Column("opened_at", Timestamp, nullable=False),
        Column("closed_at", Timestamp),
        Column("cause", String(200)),
        Column("police_case_no", String(64)),
        Column("notes", Text),
    ),
    Binding(
        label=("Alarmhendelser", "Alarm incidents"),
        labels={
            "opened_at": ("Åpnet", "Opened"),
            "closed_at": ("Lukket", "Closed"),
            "cause": ("Årsak", "Cause"),
            "police_case_no": ("Politiets saksnummer", "Police case number"),
        },
        category="user.alarm.incident",
        subjects=("customer", "third_party_on_premises"),
        account="account_id",
        anchors={
            "captured": "opened_at",
            "incident_closed": "closed_at",
            "relationship_end": Via("account_id", "customer_accounts", "ended_at"),
        },
    ),
)

media = bind(
    Table(
        "media",
        metadata,
        id_column(),
        account_fk(),
        Column("site_id", Id, ForeignKey("sites.id"), index=True),
        Column("incident_id", Id, ForeignKey("incidents.id"), index=True),
        person_fk(),  # the requester of an on-demand image; people on images are not known
        Column("kind", String(16), nullable=False),  # image | video | audio
        Column("content_type", String(64), nullable=False),
        Column("size", Integer, nullable=False),
        Column("blob_id", String(64), nullable=False, unique=True),
        Column("on_demand", Boolean, nullable=False, default=False),
        Column("captured_at", Timestamp, nullable=False),
        Index("ix_media_captured_at", "captured_at"),
    ),
    Binding(
        label=("Bilder og opptak", "Images and recordings"),
        labels={
            "person_id": ("Bestilt av", "Requested by"),
            "on_demand": ("Tatt på forespørsel", "Taken on request"),
        },
        category="user.alarm.media",
        subjects=("customer", "third_party_on_premises"),
        subject="person_id",
        account="account_id",
        anchors={"captured": "captured_at"},
        blob="blob_id",
        key="account",
        shared=True,
    ),
)

presence = bind(
    Table(
        "presence",
        metadata,
        id_column(),
        account_fk(),
        person_fk(nullable=False),
        Column("state", String(8), nullable=False),  # home | away; positions are never kept
        Column("recorded_at", Timestamp, nullable=False),
    ),
    Binding(
        label=("Hjemme/borte-status", "Home/away status"),
        labels={
            "state": ("Status", "State"),
            "recorded_at": ("Registrert", "Recorded"),
        },
        category="user.location.presence",
        subjects=("customer", "panel_user"),
        subject="person_id",
        account="account_id",
        anchors={"captured": "recorded_at"},
    ),
)

call_recordings = bind(
    Table(
        "call_recordings",
        metadata,
        id_column(),
        account_fk(),
        person_fk(),
        Column("incident_id", Id, ForeignKey("incidents.id")),
        Column("direction", String(8), nullable=False),  # in | out
        Column("phone", String(32)),
        Column("started_at", Timestamp, nullable=False),
        Column("duration_s", Integer),
        Column("blob_id", String(64), unique=True),
    ),
    Binding(
        label=("Samtaleopptak", "Call recordings"),
        labels={
            "direction": ("Retning", "Direction"),
            "started_at": ("Tidspunkt", "Time"),
            "duration_s": ("Varighet (sekunder)", "Duration (seconds)"),
        },
        category="user.content.call_recording",
        subjects=("customer", "caller", "alarm_contact"),
        subject="person_id",
        account="account_id",
        columns={"phone": "user.contact.phone_number"},
        anchors={"captured": "started_at"},
        blob="blob_id",
        key="account",
    ),
)

service_visits = bind(
    Table(
        "service_visits",
        metadata,
        id_column(),
        account_fk(nullable=False),
        Column("site_id", Id, ForeignKey("sites.id"), index=True),
        Column("visited_at", Timestamp, nullable=False),
        Column("technician", String(100)),
        Column("report", Text),
    ),
    Binding(
        label=("Servicebesøk", "Service visits"),
        labels={
            "visited_at": ("Besøkt", "Visited"),
            "technician": ("Tekniker", "Technician"),
            "report": ("Rapport", "Report"),
        },
        category="user.alarm.system",
        subjects=("customer",),
        account="account_id",
        anchors={
            "captured": "visited_at",
            "relationship_end": Via("account_id", "customer_accounts", "ended_at"),
        },
    ),
)

# One row per panel account, updated by every heartbeat (never a row per heartbeat). Tests and
# heartbeats are the health of a site, not data about a person.
account_supervision = bind(
    Table(
        "account_supervision",
        metadata,
        Column("panel_account", String(16), primary_key=True),
        Column("last_seen_at", Timestamp, nullable=False),
        Column("interval_s", Integer),
        Column("details", Json),
    ),
    Unbound("site health: when a panel last reported, keyed by its account number"),
)
