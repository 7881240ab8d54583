"""People and what they own: persons, customer accounts, sites, panel users, alarm contacts."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Float, ForeignKey, Integer, String, Table, Text

from alarmvern.store.datamap import Binding, Earliest, Stored, Via, bind
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

ENDED = Via("account_id", "customer_accounts", "ended_at")

# One row per natural person, whatever roles they have (customer, panel user, lead, …).
persons = bind(
    Table(
        "persons",
        metadata,
        id_column(),
        Column("name", String(200)),
        Column("email", String(254), index=True),
        Column("phone", String(32), index=True),
        Column("street", String(200)),
        Column("postcode", String(10)),
        Column("city", String(100)),
        Column("birth_date", Date),
        # The national identity number, encrypted with the person's data key (vault field).
        Column("nin_enc", Text),
        # A keyed hash of the number, so that staff can find a person by it without decrypting.
        Column("nin_lookup", String(64), index=True),
        Column("relationship_ended_at", Timestamp),
        Column("last_contact_at", Timestamp),
        Column("anonymised_at", Timestamp),
        created_at(),
    ),
    Binding(
        label=("Personopplysninger", "Personal details"),
        labels={
            "birth_date": ("Fødselsdato", "Date of birth"),
            "nin_enc": ("Fødselsnummer", "National identity number"),
            "nin_lookup": ("Søkekode for fødselsnummeret", "Look-up code of the identity number"),
            "relationship_ended_at": ("Kundeforholdet avsluttet", "Relationship ended"),
            "last_contact_at": ("Siste kontakt", "Last contact"),
        },
        stored={"nin_lookup": Stored.keyed_hash},
        category="user.name",
        subjects=("customer", "panel_user", "alarm_contact", "contact_person", "lead"),
        subject="id",
        columns={
            "name": "user.name",
            "email": "user.contact.email",
            "phone": "user.contact.phone_number",
            "street": "user.contact.address",
            "postcode": "user.contact.address",
            "city": "user.contact.address",
            "birth_date": "user.demographic.date_of_birth",
            "nin_enc": "user.government_id.national_identification_number",
            "nin_lookup": "user.government_id.national_identification_number",
        },
        anchors={"relationship_end": "relationship_ended_at", "last_contact": "last_contact_at"},
    ),
)

customer_accounts = bind(
    Table(
        "customer_accounts",
        metadata,
        id_column(),
        Column("customer_no", String(32), nullable=False, unique=True),
        Column("kind", String(16), nullable=False),  # private | business
        Column("holder_person_id", Id, ForeignKey("persons.id"), index=True),
        Column("org_no", String(9)),
        Column("org_name", String(200)),
        Column("started_at", Timestamp, nullable=False),
        Column("ended_at", Timestamp),
        Column("credit_check_result", String(32)),
        Column("credit_checked_at", Timestamp),
        created_at(),
    ),
    Binding(
        label=("Kundeforhold", "Customer accounts"),
        labels={
            "customer_no": ("Kundenummer", "Customer number"),
            "kind": ("Kundetype", "Kind of customer"),
            "holder_person_id": ("Kontoinnehaver", "Account holder"),
            "org_no": ("Organisasjonsnummer", "Organisation number"),
            "org_name": ("Firmanavn", "Company name"),
            "credit_check_result": ("Resultat av kredittvurdering", "Credit check result"),
            "credit_checked_at": ("Kredittvurdert", "Credit checked"),
        },
        category="user.account",
        subjects=("customer", "contact_person"),
        subject="holder_person_id",
        account="id",
        columns={
            "customer_no": "user.account",
            "credit_check_result": "user.financial.credit_check",
            "credit_checked_at": "user.financial.credit_check",
        },
        # captured: the credit check's own time, its retention runs from the decision.
        anchors={"relationship_end": "ended_at", "captured": "credit_checked_at"},
    ),
)

sites = bind(
    Table(
        "sites",
        metadata,
        id_column(),
        account_fk(nullable=False),
        Column("street", String(200), nullable=False),
        Column("postcode", String(10), nullable=False),
        Column("city", String(100)),
        Column("municipality", String(100)),
        Column("latitude", Float),
        Column("longitude", Float),
        Column("panel_type", String(64)),
        Column("panel_account", String(16), index=True),  # the SIA account number
        Column("components", Json),  # placement of detectors, cameras, sirens
        Column("supervision_seconds", Integer),
        created_at(),
    ),
    Binding(
        label=("Anlegg", "Sites"),
        labels={
            "municipality": ("Kommune", "Municipality"),
            "latitude": ("Breddegrad", "Latitude"),
            "longitude": ("Lengdegrad", "Longitude"),
            "panel_type": ("Alarmsentral (type)", "Panel type"),
            "panel_account": ("Anleggsnummer (SIA)", "Panel account (SIA)"),
            "components": ("Komponenter", "Components"),
            "supervision_seconds": (
                "Overvåkingsintervall (sekunder)",
                "Supervision interval (seconds)",
            ),
        },
        category="user.contact.address",
        subjects=("customer",),
        account="account_id",
        columns={
            "street": "user.contact.address",
            "postcode": "user.contact.address",
            "city": "user.contact.address",
            "latitude": "user.location.precise",
            "longitude": "user.location.precise",
            "panel_type": "user.alarm.system",
            "panel_account": "user.alarm.system",
            "components": "user.alarm.system",
        },
        anchors={"relationship_end": Via("account_id", "customer_accounts", "ended_at")},
    ),
)

panel_users = bind(
    Table(
        "panel_users",
        metadata,
        id_column(),
        account_fk(nullable=False),
        Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
        person_fk(),
        Column("user_no", Integer, nullable=False),
        Column("display_name", String(200)),
        # argon2 hash of the alarm code; the code itself is never stored.
        Column("code_hash", String(200)),
        Column("removed_at", Timestamp),
        Column("informed_at", Timestamp),  # when a user who is not the customer was told
        created_at(),
    ),
    Binding(
        label=("Brukere av anlegget", "Users of the system"),
        labels={
            "user_no": ("Brukernummer", "User number"),
            "code_hash": ("Alarmkode", "Alarm code"),
        },
        stored={"code_hash": Stored.credential},
        category="user.alarm.panel_user",
        subjects=("panel_user",),
        subject="person_id",
        account="account_id",
        columns={"display_name": "user.name", "code_hash": "user.authorization.credentials"},
        # A removed user's retention runs from the removal (art. 5(1)(e)), else the account's end.
        anchors={"relationship_end": Earliest("removed_at", ENDED)},
    ),
)

alarm_contacts = bind(
    Table(
        "alarm_contacts",
        metadata,
        id_column(),
        account_fk(nullable=False),
        Column("site_id", Id, ForeignKey("sites.id"), nullable=False, index=True),
        person_fk(nullable=False),
        Column("priority", Integer, nullable=False),
        Column("has_keys", Boolean, nullable=False, default=False),
        Column("informed_at", Timestamp),  # when the person was told of the role (art. 14)
        Column("removed_at", Timestamp),
        created_at(),
    ),
    Binding(
        label=("Alarmkontakter", "Alarm contacts"),
        labels={
            "priority": ("Rekkefølge", "Order"),
            "has_keys": ("Har nøkler", "Has keys"),
        },
        category="user.alarm.contact",
        subjects=("alarm_contact",),
        subject="person_id",
        account="account_id",
        anchors={"relationship_end": Earliest("removed_at", ENDED)},
    ),
)
