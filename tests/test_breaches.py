"""The breach register: registering, the 72-hour clock, the people affected from the audit log
and from lost blobs, the decision with its reasons, the drafts, and marking them sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from alarmvern import audit
from alarmvern.accountability import affected, breaches, drafts
from alarmvern.accountability.breaches import BreachError
from alarmvern.policy import load
from alarmvern.store import tables as t
from tests import builders as b

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
    return breaches.register(conn, **(values | overrides))  # type: ignore[arg-type]


def test_a_breach_without_a_discovery_time_is_refused_naming_the_field(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(BreachError) as caught:
        _breach(conn, discovered_at=None)
    assert caught.value.field == "discovered_at"
    assert "oppdaget" in str(caught.value) and "discovered" in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(select(t.breaches)).first() is None


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
        assert drafts.deliver(conn, found) == [d.id for d in found]
        assert all(d.to_send_by == "hand" for d in drafts.list_drafts(conn, breach_id))
        drafts.mark_sent(conn, notice.id, actor="dpo")
        with pytest.raises(BreachError) as twice:
            drafts.mark_sent(conn, notice.id, actor="dpo")
        assert twice.value.field == "sent_at" and "allerede" in str(twice.value)
        actions = [e[0] for e in conn.execute(select(t.audit_log.c.action))]
    assert {"breach.register", "breach.decide", "breach.draft", "breach.sent"} <= set(actions)
