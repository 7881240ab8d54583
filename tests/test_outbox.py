"""The outbox against a real SMTP server, and telling registered people (art. 14(3))."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alarmvern.customers import accounts, informing, sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.outbox import FileOutbox, Outbox, OutboxSettings, SmtpMail
from alarmvern.policy import load
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests.smtp_support import Inbox, free_port, smtp  # noqa: F401

ACTOR = "customer_service:1"
POLICY = load("default").policy


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def outbox_for(port: int, folder: Path) -> Outbox:
    settings = OutboxSettings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none", public_url="https://alarm.example"
    )
    return Outbox(email=SmtpMail(settings), sms=FileOutbox(folder), public_url=settings.public_url)


def customer_with_people(engine: Engine) -> dict[str, int]:
    with engine.begin() as conn:
        made = accounts.register_customer(
            conn,
            actor=ACTOR,
            customer_no="K7",
            holder=PersonIn(name="Kari Nordmann"),
        )
        site = sites.add_site(
            conn,
            None,
            actor=ACTOR,
            account_id=made.account_id,  # type: ignore[arg-type]
            street="Storgata 1",
            postcode="0155",
        )
        mailed = sites.add_contact(
            conn,
            actor=ACTOR,
            site_id=site,
            person=PersonIn(name="Per Kontakt", email="per@example.no"),
        )
        texted = sites.add_contact(
            conn, actor=ACTOR, site_id=site, person=PersonIn(name="Siri SMS", phone="41234567")
        )
        own = sites.add_panel_user(
            conn, actor=ACTOR, site_id=site, user_no=1, person_id=made.person_id
        )
        silent = sites.add_panel_user(
            conn, actor=ACTOR, site_id=site, user_no=2, person=PersonIn(name="Uten Adresse")
        )
    return {"mailed": mailed, "texted": texted, "own": own, "silent": silent}


def test_contacts_are_told_by_email_and_sms_and_informed_at_is_set(
    engine: Engine,
    vault: Vault,
    smtp: Inbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    ids = customer_with_people(engine)
    with engine.connect() as conn:
        before = {(p.role, p.row_id) for p in informing.pending(conn, POLICY)}
    # The customer's own panel user is not told: they are the customer.
    assert before == {
        ("alarm_contact", ids["mailed"]),
        ("alarm_contact", ids["texted"]),
        ("panel_user", ids["silent"]),
    }
    box = outbox_for(smtp.port, tmp_path / "outbox")
    sent = informing.inform_pending(engine, vault, POLICY, box)
    assert sent == 2
    (mail,) = smtp.to("per@example.no")
    text = mail.get_content()
    assert "Kari Nordmann har registrert deg som alarmkontakt" in text
    assert "https://alarm.example/personvernerklaering" in text and "has registered you" in text
    (sms,) = [json.loads(x) for x in (tmp_path / "outbox" / "sms.jsonl").read_text().splitlines()]
    assert sms["to"] == "+4741234567"
    with engine.connect() as conn:
        informed = {r.id: r.informed_at for r in conn.execute(select(t.alarm_contacts))}
        records = conn.execute(select(t.outbox_messages)).all()
        left = [(p.role, p.row_id) for p in informing.pending(conn, POLICY)]
    assert all(informed.values())
    assert left == [("panel_user", ids["silent"])]  # no address: the DPO sees them
    assert {r.template for r in records} == {"registered.alarm_contact"}
    assert all("@" not in r.recipient_hash and len(r.recipient_hash) == 64 for r in records)


def test_a_failed_delivery_is_recorded_and_the_person_stays_pending(
    engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    customer_with_people(engine)
    box = outbox_for(free_port(), tmp_path / "outbox")  # nothing listens there
    assert informing.inform_pending(engine, vault, POLICY, box) == 1  # only the SMS went
    with engine.connect() as conn:
        failed = conn.execute(
            select(t.outbox_messages).where(t.outbox_messages.c.status == "failed")
        ).one()
        pending = informing.pending(conn, POLICY)
    assert failed.error == "ConnectionRefusedError" and failed.channel == "email"
    assert {p.role for p in pending} == {"alarm_contact", "panel_user"}


def test_the_deadline_comes_from_the_policy(engine: Engine) -> None:
    customer_with_people(engine)
    with engine.connect() as conn:
        first = informing.pending(conn, POLICY)[0]
    assert first.inform_by == POLICY.rights.inform_within.after(first.registered_at)
    assert not first.overdue(datetime.now(UTC))
    assert first.overdue(datetime.now(UTC) + timedelta(days=32))
