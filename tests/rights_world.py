"""A person present in every personal table, under several roles, beside a neighbour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, func, select

from alarmvern.rights.scope import normalise
from alarmvern.store import tables as t
from alarmvern.vault import Vault
from tests import builders as b

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    person: int  # Kari: customer, panel user at a neighbour's, alarm contact, lead, …
    account: int
    site: int
    neighbour: int
    neighbour_account: int
    neighbour_site: int
    media_blob: str
    call_blob: str
    cv_blob: str


def build(conn: Connection, vault: Vault, events: int = 3, tag: str = "") -> World:
    """``tag`` makes the customer and invoice numbers unique, for several worlds in a store."""
    kari = b.person(conn, vault, nin="01017012345", email=f"kari{tag}@example.test")
    acc = b.account(conn, kari, f"K100{tag}")
    site = b.site(conn, acc)
    nabo = b.person(conn, vault, name="Ola Nabo", email="ola@example.test", phone="+4799999999")
    nabo_acc = b.account(conn, nabo, f"K200{tag}")
    nabo_site = b.site(conn, nabo_acc, street="Lillegata 2")
    b.insert(conn, t.panel_users, account_id=acc, site_id=site, person_id=kari, user_no=1)
    b.insert(conn, t.panel_users, account_id=nabo_acc, site_id=nabo_site, person_id=kari, user_no=7)
    b.insert(
        conn, t.alarm_contacts, account_id=nabo_acc, site_id=nabo_site, person_id=kari, priority=1
    )
    start = NOW - timedelta(days=2)
    b.events(
        conn,
        acc,
        site,
        [start + timedelta(minutes=i) for i in range(events)],
        actor_person_id=kari,
        user_no=1,
    )
    b.events(conn, nabo_acc, nabo_site, [start], actor_person_id=kari, user_no=7, code="OP")
    b.events(conn, nabo_acc, nabo_site, [start], actor_person_id=nabo, user_no=1)
    incident = b.insert(
        conn,
        t.incidents,
        account_id=acc,
        site_id=site,
        kind="burglary",
        status="closed",
        opened_at=start,
        closed_at=start + timedelta(hours=1),
    )
    _, media_blob = b.image(conn, vault, acc, start, incident=incident)
    b.insert(conn, t.presence, account_id=acc, person_id=kari, state="home", recorded_at=start)
    b.insert(conn, t.presence, account_id=nabo_acc, person_id=nabo, state="away", recorded_at=start)
    call_blob = vault.new_blob_id()
    vault.put_blob(conn, f"account:{acc}", "call_recordings", call_blob, b"RIFF audio")
    b.insert(
        conn,
        t.call_recordings,
        account_id=acc,
        person_id=kari,
        direction="in",
        phone="+4791234567",
        started_at=start,
        duration_s=60,
        blob_id=call_blob,
    )
    b.insert(
        conn,
        t.service_visits,
        account_id=acc,
        site_id=site,
        visited_at=start,
        technician="T. Tekniker",
    )
    b.insert(
        conn,
        t.contracts,
        account_id=acc,
        person_id=kari,
        product="Alarm Basis",
        signed_at=start - timedelta(days=400),
        ended_at=start,
    )
    b.insert(
        conn,
        t.invoices,
        account_id=acc,
        person_id=kari,
        invoice_no=f"F-1{tag}",
        issued_at=start,
        amount=Decimal("399.00"),
        billed_name="Kari Nordmann",
    )
    b.insert(
        conn,
        t.correspondence,
        account_id=acc,
        person_id=kari,
        channel="email",
        direction="in",
        subject="Spørsmål",
        sent_at=start,
    )
    b.insert(
        conn, t.leads, person_id=kari, kind="contact_form", received_at=start, last_contact_at=start
    )
    cv_blob = vault.new_blob_id()
    vault.put_blob(conn, f"person:{kari}", "job_applicants", cv_blob, b"%PDF cv")
    b.insert(
        conn,
        t.job_applicants,
        person_id=kari,
        position="Operatør",
        applied_at=start,
        cv_blob_id=cv_blob,
    )
    b.insert(
        conn,
        t.course_participants,
        person_id=kari,
        course="Brannvern",
        course_date=date(2026, 1, 10),
    )
    b.insert(conn, t.office_visitors, person_id=kari, arrived_at=start)
    b.insert(
        conn,
        t.consents,
        person_id=kari,
        activity="presence",
        notice_version="2026-01",
        given_at=start,
    )
    b.insert(
        conn,
        t.consents,
        person_id=kari,
        activity="marketing",
        notice_version="2026-01",
        given_at=start,
    )
    b.insert(
        conn,
        t.marketing_suppressions,
        identifier_hash=vault.lookup_hash(conn, normalise(f"kari{tag}@example.test")),
        kind="email",
        objected_at=start,
    )
    b.insert(
        conn,
        t.rights_requests,
        person_id=kari,
        kind="access",
        channel="email",
        received_at=start,
        due_on=date(2026, 12, 30),
        status="done",
        closed_at=start,
    )
    b.insert(
        conn,
        t.disclosures,
        person_id=kari,
        account_id=acc,
        recipient="police",
        activity="alarm-monitoring",
        categories=["user.alarm.incident"],
        disclosed_at=start,
        reference="2026-123",
    )
    b.insert(
        conn, t.restrictions, person_id=kari, reason="accuracy", placed_at=start, lifted_at=start
    )
    old = vault.encrypt_field(
        conn, f"person:{kari}", "rectifications", "old_value_enc", "Gammel gate 1"
    )
    b.insert(
        conn,
        t.rectifications,
        person_id=kari,
        target_table="persons",
        target_id=kari,
        column_name="street",
        old_value_enc=old,
        changed_at=start,
        changed_by="cs",
    )
    b.insert(
        conn,
        t.devices,
        kind="app",
        account_id=acc,
        person_id=kari,
        token_hash="a" * 64,
        name="Karis telefon",
    )
    nabo_incident = b.insert(
        conn,
        t.incidents,
        account_id=nabo_acc,
        site_id=nabo_site,
        kind="fire",
        status="closed",
        opened_at=start,
        closed_at=start + timedelta(hours=1),
    )
    b.insert(
        conn,
        t.incident_steps,
        incident_id=nabo_incident,
        account_id=nabo_acc,
        person_id=kari,
        step="contact_called",
        actor="operatør 1",
        at=start,
        details={"outcome": "answered"},
    )
    b.insert(
        conn,
        t.logins,
        username=f"kari{tag}@example.test",
        password_hash="$argon2id$x",
        role="customer",
        person_id=kari,
    )
    breach = b.insert(
        conn,
        t.breaches,
        title="Tapt bærbar PC",
        description="En bærbar PC ble mistet.",
        discovered_at=start,
        registered_at=start,
        registered_by="dpo:1",
        categories=["user.contact"],
        consequences="Lav risiko.",
        measures="Disken var kryptert.",
    )
    b.insert(
        conn, t.breach_affected, breach_id=breach, person_id=kari, source="audit", added_at=start
    )
    b.insert(
        conn,
        t.breach_drafts,
        breach_id=breach,
        kind="person",
        person_id=kari,
        body_nb="Melding",
        body_en="Message",
        created_at=start,
    )
    b.insert(
        conn,
        t.outbox_messages,
        person_id=kari,
        channel="email",
        recipient_hash=f"hash{tag}",
        template="contact-registered",
        status="sent",
        sent_at=start,
    )
    # The version the store runs on (a web world's), or one of its own (a bare store's).
    version = conn.execute(select(func.min(t.policy_versions.c.id))).scalar() or b.insert(
        conn,
        t.policy_versions,
        name="world",
        version=f"2026.9{tag}",
        sha256=f"world{tag}".ljust(64, "0"),
        policy_date=start.date(),
        applied_at=start,
        source="not a policy",
    )
    b.insert(
        conn,
        t.policy_notices,
        version_id=version,
        person_id=kari,
        told_at=start,
        channel="email",
        created_at=start,
    )
    b.insert(
        conn,
        t.action_plans,
        account_id=acc,
        site_id=site,
        kind="burglary",
        steps=[{"action": "call_contacts"}],
        set_by="kundeservice:1",
        set_at=start,
    )
    return World(kari, acc, site, nabo, nabo_acc, nabo_site, media_blob, call_blob, cv_blob)
