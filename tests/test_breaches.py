"""The breach register: registering, the 72-hour clock, the people affected from the audit log
and from lost blobs, the decision with its reasons, the drafts, and marking them sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alarmvern import audit
from alarmvern.accountability import affected, breaches, drafts
from alarmvern.accountability.breaches import BreachError
from alarmvern.policy import load
from alarmvern.store import tables as t
from alarmvern.vault import Vault
from tests import builders as b
from tests.smtp_support import Inbox, free_port, smtp  # noqa: F401
from tests.test_outbox import outbox_for, vault  # noqa: F401

POLICY = load("default").policy
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _breach(conn: object, **overrides: object) -> int:
    values: dict[str, object] = {
        "title": "Lost laptop",
        "description": "An operator's laptop was stolen from a car.",
        "discovered_at": NOW - timedelta(hours=10),
        "began_at": NOW - timedelta(hours=20),
        "categories": ["user.contact", "user.alarm.media"],
        "people_count": 2,
        "records_count": 40,
        "consequences": "Images from homes may be seen by others.",
        "measures": "The login was locked; the disk is encrypted.",
        "actor": "dpo",
        "at": NOW,
    }
    return breaches.register(conn, POLICY, **(values | overrides))  # type: ignore[arg-type]


def test_a_breach_without_a_discovery_time_is_refused_naming_the_field(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(BreachError) as caught:
        _breach(conn, discovered_at=None)
    assert caught.value.field == "discovered_at"
    assert "oppdaget" in str(caught.value) and "discovered" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(t.breaches)).first() is None


def test_a_category_the_policy_lacks_is_refused_naming_it_and_nothing_is_stored(
    engine: Engine,
) -> None:
    with engine.begin() as conn, pytest.raises(BreachError) as caught:
        _breach(conn, categories=["user.contact", "user.no_such_thing"])
    assert caught.value.field == "categories" and "user.no_such_thing" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(t.breaches)).first() is None
    with engine.begin() as conn:  # a key above the policy's (user.contact) is a category too
        kept = breaches.get(conn, _breach(conn, categories=["user.contact"]))
    assert kept.categories == ("user.contact",)


def test_the_clock_counts_72_hours_from_discovery_and_lists_the_overdue_first(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        fresh = _breach(conn, title="Fresh")
        old = _breach(conn, title="Old", discovered_at=NOW - timedelta(hours=80), began_at=None)
        found = breaches.list_breaches(conn, NOW)
    assert [x.id for x in found] == [old, fresh]
    assert found[0].overdue(NOW) and found[0].hours_left(NOW) == pytest.approx(-8)
    assert found[1].hours_left(NOW) == pytest.approx(62)


def test_a_decision_without_reasons_is_refused_and_one_with_reasons_is_kept(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        breach_id = _breach(conn)
        with pytest.raises(BreachError) as caught:
            breaches.decide(
                conn, breach_id, notify_authority=True, notify_people=True, reasons=" ", actor="d"
            )
        assert caught.value.field == "reasons"
        breaches.decide(
            conn,
            breach_id,
            notify_authority=False,
            notify_people=False,
            reasons="Encrypted disk",
            actor="dpo",
        )
        kept = breaches.get(conn, breach_id)
    assert kept.decided and kept.notify_authority is False and kept.decision_reasons
    assert not kept.overdue(NOW + timedelta(days=10))  # decided: not overdue, but still kept


def test_the_people_a_login_read_in_a_window_are_proposed_from_the_audit_log(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        seen = b.person(conn, name="Sett", email="sett@example.test")
        holder = b.person(conn, name="Holder", email="holder@example.test")
        other = b.person(conn, name="Annen", email="annen@example.test")
        account = b.account(conn, holder)
        audit.append(
            conn,
            actor="op1",
            action="staff.view",
            subject=f"person:{seen}",
            at=NOW - timedelta(hours=2),
        )
        audit.append(
            conn,
            actor="op1",
            action="staff.view",
            subject=f"account:{account}",
            at=NOW - timedelta(hours=1),
        )
        audit.append(
            conn,
            actor="op1",
            action="staff.view",
            subject=f"person:{other}",
            at=NOW - timedelta(days=3),
        )  # outside the window
        audit.append(
            conn,
            actor="op2",
            action="staff.view",
            subject=f"person:{other}",
            at=NOW - timedelta(hours=1),
        )  # another login
        proposed = affected.read_by_login(conn, "op1", NOW - timedelta(hours=5), NOW)
        assert proposed == sorted([seen, holder])
        breach_id = _breach(conn)
        assert affected.add(conn, breach_id, proposed, source="audit-log", actor="dpo") == 2
        assert affected.add(conn, breach_id, proposed, source="audit-log", actor="dpo") == 0
        assert [p for p, _ in affected.affected(conn, breach_id)] == sorted([seen, holder])


def test_the_people_whose_blobs_were_in_a_lost_prefix_are_proposed(engine: Engine) -> None:
    with engine.begin() as conn:
        holder = b.person(conn)
        account = b.account(conn, holder)
        b.insert(
            conn,
            t.media,
            account_id=account,
            kind="image",
            content_type="image/png",
            size=1,
            blob_id="lost-bucket/abc",
            captured_at=NOW,
        )
        other = b.account(conn, b.person(conn, email="x@example.test"), number="K2")
        b.insert(
            conn,
            t.media,
            account_id=other,
            kind="image",
            content_type="image/png",
            size=1,
            blob_id="kept/abc",
            captured_at=NOW,
        )
        assert affected.in_lost_blobs(conn, "lost-bucket/") == [holder]
        assert affected.in_lost_blobs(conn, "lost_") == []  # "_" is no wildcard


def test_drafts_follow_the_decision_and_a_draft_is_marked_sent_once(engine: Engine) -> None:
    with engine.begin() as conn:
        person = b.person(conn)
        breach_id = _breach(conn, controller="Kunde AS (kameraovervåking)")
        with pytest.raises(BreachError) as early:
            drafts.make(conn, breach_id, POLICY, actor="dpo")
        assert early.value.field == "decision"
        affected.add(conn, breach_id, [person], source="audit-log", actor="dpo")
        breaches.decide(
            conn,
            breach_id,
            notify_authority=True,
            notify_people=True,
            reasons="Images from homes: high risk.",
            actor="dpo",
        )
        made = drafts.make(conn, breach_id, POLICY, actor="dpo")
        assert drafts.make(conn, breach_id, POLICY, actor="dpo") == []
        found = drafts.list_drafts(conn, breach_id)
        assert len(made) == 3
        assert sorted(d.kind for d in found) == ["authority", "controller", "person"]
        notice = next(d for d in found if d.kind == "authority")
        for item in ("a) Kategorier", "b) Personvernombud", "c) Sannsynlige", "d) Tiltak"):
            assert item in notice.body_nb
        assert "(d) Measures" in notice.body_en
        message = next(d for d in found if d.kind == "person")
        assert message.person_id == person and "Kari" not in message.body_nb
        assert "art. 33(2)" in next(d for d in found if d.kind == "controller").body_en
        drafts.mark_sent(conn, notice.id, actor="dpo")
        with pytest.raises(BreachError) as twice:
            drafts.mark_sent(conn, notice.id, actor="dpo")
        assert twice.value.field == "sent_at" and "allerede" in str(twice.value)
        actions = [e[0] for e in conn.execute(select(t.audit_log.c.action))]
    assert {"breach.register", "breach.decide", "breach.draft", "breach.sent"} <= set(actions)


def _decided_with_people(engine: Engine, people: list[int], *, authority: bool = True) -> int:
    with engine.begin() as conn:
        breach_id = _breach(conn)
        affected.add(conn, breach_id, people, source="audit-log", actor="dpo")
        breaches.decide(
            conn,
            breach_id,
            notify_authority=authority,
            notify_people=True,
            reasons="Images from homes: high risk.",
            actor="dpo",
        )
        drafts.make(conn, breach_id, POLICY, actor="dpo")
    return breach_id


def test_each_persons_draft_goes_out_by_email_or_sms_and_the_rest_by_hand(
    engine: Engine,
    vault: Vault,  # noqa: F811
    smtp: Inbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    with engine.begin() as conn:
        mailed = b.person(conn, email="berort@example.test")
        texted = b.person(conn, email=None, phone="+4741234567")
        silent = b.person(conn, email=None, phone=None)
    breach_id = _decided_with_people(engine, [mailed, texted, silent])
    outbox = outbox_for(smtp.port, tmp_path / "outbox")

    went = drafts.deliver(engine, vault, outbox, breach_id, actor="dpo:1")

    assert went == drafts.Delivery(sent=2, failed=0, by_hand=2)  # the silent one, Datatilsynet
    (mail,) = smtp.to("berort@example.test")
    body = mail.get_content()
    assert "Hei," in body and "Hello," in body and body.index("Hei,") < body.index("Hello,")
    assert "sikkerhetsbrudd" in mail["Subject"].lower()
    (sms,) = [json.loads(line) for line in (tmp_path / "outbox" / "sms.jsonl").open()]
    assert sms["to"] == "+4741234567" and "Hei," in sms["body"]
    with engine.connect() as conn:
        by_person = {d.person_id: d for d in drafts.list_drafts(conn, breach_id)}
        assert by_person[mailed].to_send_by == "email" and by_person[mailed].sent_at
        assert by_person[texted].to_send_by == "sms" and by_person[texted].sent_at
        assert by_person[silent].to_send_by == "hand" and by_person[silent].sent_at is None
        assert by_person[None].kind == "authority" and by_person[None].to_send_by == "hand"
        sent = conn.execute(select(t.outbox_messages).order_by(t.outbox_messages.c.id)).all()
        audited = conn.execute(
            select(t.audit_log.c.details).where(t.audit_log.c.action == "breach.sent")
        ).all()
    # What was sent is recorded: to whom by keyed hash only, which template, when.
    assert [(m.person_id, m.channel, m.template, m.status) for m in sent] == [
        (mailed, "email", "breach.person", "sent"),
        (texted, "sms", "breach.person", "sent"),
    ]
    with engine.connect() as conn:
        assert sent[0].recipient_hash == vault.lookup_hash(conn, "berort@example.test")
    assert "berort" not in repr(audited) and len(audited) == 2
    # Delivering again sends nothing twice; the DPO marks the rest sent by hand.
    assert drafts.deliver(engine, vault, outbox, breach_id, actor="dpo:1").sent == 0
    assert len(smtp.to("berort@example.test")) == 1
    with engine.begin() as conn:
        drafts.mark_sent(conn, by_person[silent].id, actor="dpo:1")
        with pytest.raises(BreachError) as twice:
            drafts.mark_sent(conn, by_person[mailed].id, actor="dpo:1")
    assert twice.value.field == "sent_at"


def test_a_failed_message_is_recorded_as_failed_and_sent_on_the_next_delivery(
    engine: Engine,
    vault: Vault,  # noqa: F811
    smtp: Inbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    with engine.begin() as conn:
        person = b.person(conn, email="senere@example.test")
    breach_id = _decided_with_people(engine, [person], authority=False)
    down = outbox_for(free_port(), tmp_path / "outbox")  # nothing listens there

    assert drafts.deliver(engine, vault, down, breach_id, actor="dpo:1") == drafts.Delivery(
        failed=1
    )
    with engine.connect() as conn:
        (draft,) = drafts.list_drafts(conn, breach_id)
        (row,) = conn.execute(select(t.outbox_messages)).all()
    assert draft.to_send_by == "failed" and draft.sent_at is None
    assert row.status == "failed" and row.error and "senere" not in row.error

    again = drafts.deliver(engine, vault, outbox_for(smtp.port, tmp_path), breach_id, actor="d")
    assert again == drafts.Delivery(sent=1) and len(smtp.to("senere@example.test")) == 1
