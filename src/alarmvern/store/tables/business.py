"""The customer relationship and the company's other contacts with people."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Numeric, String, Table, Text

from alarmvern.store.datamap import Binding, bind
from alarmvern.store.tables.columns import (
    Id,
    Json,
    Timestamp,
    account_fk,
    id_column,
    metadata,
    person_fk,
)

contracts = bind(
    Table(
        "contracts",
        metadata,
        id_column(),
        account_fk(nullable=False),
        person_fk(),
        Column("product", String(100), nullable=False),
        Column("signed_at", Timestamp, nullable=False),
        Column("ended_at", Timestamp),
        Column("terms", Json),
    ),
    Binding(
        label=("Avtaler", "Contracts"),
        labels={
            "product": ("Produkt", "Product"),
            "signed_at": ("Signert", "Signed"),
            "terms": ("Vilkår", "Terms"),
        },
        category="user.contract",
        subjects=("customer",),
        subject="person_id",
        account="account_id",
        anchors={"relationship_end": "ended_at", "fiscal_year_end": "ended_at"},
    ),
)

invoices = bind(
    Table(
        "invoices",
        metadata,
        id_column(),
        account_fk(nullable=False),
        person_fk(),
        Column("invoice_no", String(32), nullable=False, unique=True),
        Column("issued_at", Timestamp, nullable=False),
        Column("amount", Numeric(12, 2), nullable=False),
        # The invoice as issued, name and address included, is bookkeeping documentation:
        # it is kept whole under the invoice's own rule, not the rules for names or addresses.
        Column("billed_name", String(200)),
        Column("billed_address", String(300)),
    ),
    Binding(
        label=("Fakturaer", "Invoices"),
        labels={
            "invoice_no": ("Fakturanummer", "Invoice number"),
            "issued_at": ("Utstedt", "Issued"),
            "amount": ("Beløp", "Amount"),
            "billed_name": ("Fakturert til", "Billed to"),
            "billed_address": ("Fakturaadresse", "Billing address"),
        },
        category="user.financial.invoice",
        subjects=("customer",),
        subject="person_id",
        account="account_id",
        anchors={"fiscal_year_end": "issued_at", "last_invoice": "issued_at"},
    ),
)

correspondence = bind(
    Table(
        "correspondence",
        metadata,
        id_column(),
        account_fk(),
        person_fk(),
        Column("channel", String(16), nullable=False),  # email | letter | chat | phone
        Column("direction", String(8), nullable=False),  # in | out
        Column("subject", String(200)),
        Column("body", Text),
        Column("sent_at", Timestamp, nullable=False),
    ),
    Binding(
        label=("Korrespondanse", "Correspondence"),
        labels={
            "channel": ("Kanal", "Channel"),
            "direction": ("Retning", "Direction"),
            "subject": ("Emne", "Subject"),
            "body": ("Innhold", "Content"),
            "sent_at": ("Sendt", "Sent"),
        },
        category="user.content.correspondence",
        subjects=("customer", "lead", "contact_person"),
        subject="person_id",
        account="account_id",
        anchors={"captured": "sent_at", "fiscal_year_end": "sent_at"},
    ),
)

leads = bind(
    Table(
        "leads",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("kind", String(16), nullable=False),  # contact_form | quote_request | site_survey
        Column("message", Text),
        Column("address", String(300)),
        Column("received_at", Timestamp, nullable=False),
        Column("last_contact_at", Timestamp, nullable=False),
        Column("became_account_id", Id, ForeignKey("customer_accounts.id")),
    ),
    Binding(
        label=("Henvendelser og tilbud", "Inquiries and quotes"),
        labels={
            "message": ("Melding", "Message"),
            "address": ("Adresse", "Address"),
            "last_contact_at": ("Siste kontakt", "Last contact"),
            "became_account_id": ("Ble kundeforhold", "Became customer account"),
        },
        category="user.content.inquiry",
        subjects=("lead",),
        subject="person_id",
        columns={"address": "user.contact.address"},
        anchors={"last_contact": "last_contact_at", "captured": "received_at"},
    ),
)

job_applicants = bind(
    Table(
        "job_applicants",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("position", String(200), nullable=False),
        Column("applied_at", Timestamp, nullable=False),
        Column("decided_at", Timestamp),
        Column("cv_blob_id", String(64), unique=True),
        Column("notes", Text),
    ),
    Binding(
        label=("Jobbsøknader", "Job applications"),
        labels={
            "position": ("Stilling", "Position"),
            "applied_at": ("Søkt", "Applied"),
            "decided_at": ("Avgjort", "Decided"),
            "cv_blob_id": ("CV (fil)", "CV (file)"),
        },
        category="user.job_application",
        subjects=("job_applicant",),
        subject="person_id",
        anchors={"captured": "applied_at", "last_contact": "decided_at"},
        blob="cv_blob_id",
    ),
)

course_participants = bind(
    Table(
        "course_participants",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("course", String(200), nullable=False),
        Column("course_date", Date, nullable=False),
        Column("employer", String(200)),
        Column("certificate_no", String(64)),
        Column("informed_at", Timestamp),  # when one signed up by an employer was told (art. 14)
    ),
    Binding(
        label=("Kurs", "Courses"),
        labels={
            "course": ("Kurs", "Course"),
            "course_date": ("Kursdato", "Course date"),
            "employer": ("Arbeidsgiver", "Employer"),
            "certificate_no": ("Kursbevis", "Certificate number"),
        },
        category="user.education.course",
        subjects=("course_participant",),
        subject="person_id",
        columns={"employer": "user.workplace"},
        anchors={"captured": "course_date"},
    ),
)

office_visitors = bind(
    Table(
        "office_visitors",
        metadata,
        id_column(),
        person_fk(nullable=False),
        Column("host", String(100)),
        Column("arrived_at", Timestamp, nullable=False),
        Column("left_at", Timestamp),
        Column("company", String(200)),
    ),
    Binding(
        label=("Besøk på kontoret", "Office visits"),
        labels={
            "host": ("Vert", "Host"),
            "arrived_at": ("Kom", "Arrived"),
            "left_at": ("Gikk", "Left"),
            "company": ("Firma", "Company"),
        },
        category="user.visit",
        subjects=("office_visitor",),
        subject="person_id",
        columns={"company": "user.workplace"},
        anchors={"captured": "arrived_at"},
    ),
)
