"""Requests: their deadlines on the Norwegian calendar, pauses, extensions, and the queue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alarmvern.policy.model import Verification
from alarmvern.rights import marketing, requests, restriction
from alarmvern.rights.requests import Channel, Kind, RequestError, Status
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b

ALL = tuple(Verification)


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=11)


def test_due_a_month_later_moved_past_easter(engine: Engine) -> None:
    with engine.begin() as conn:
        request = requests.open_request(
            conn,
            kind=Kind.access,
            channel=Channel.email,
            person_id=None,
            actor="cs",
            received_at=at(date(2026, 3, 2)),
        )
    assert request.due_on == date(2026, 4, 7)  # 2 April is Maundy Thursday; Easter follows


def test_the_day_is_counted_in_norway(engine: Engine) -> None:
    # 23:30 UTC on 31 January is already 1 February in Oslo.
    late = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    with engine.begin() as conn:
        request = requests.open_request(
            conn,
            kind=Kind.access,
            channel=Channel.email,
            person_id=None,
            actor="cs",
            received_at=late,
        )
    assert request.received_on == date(2026, 2, 1) and request.due_on == date(2026, 3, 2)


def test_an_identity_check_pauses_the_clock(engine: Engine) -> None:
    with engine.begin() as conn:
        person = b.person(conn)
        request = requests.open_request(
            conn,
            kind=Kind.erasure,
            channel=Channel.letter,
            person_id=person,
            actor="cs",
            received_at=at(date.today() - timedelta(days=10)),
        )
        first_due = request.due_on
        requests.await_identity(conn, request.id, actor="cs", reason="brev uten signatur")
        # The pause began today; verifying it five days later moves the deadline five days.
        step = requests.get(conn, request.id).step("identity_check")
        assert step is not None
        step["from"] = (date.today() - timedelta(days=5)).isoformat()
        conn.execute(
            t.rights_requests.update()
            .where(t.rights_requests.c.id == request.id)
            .values(steps=[*requests.get(conn, request.id).steps[:-1], step])
        )
        with pytest.raises(RequestError, match=r"pending steps \(Identity check\)"):
            requests.close(conn, request.id, outcome="x", actor="cs")
        verified = requests.verify_identity(
            conn, request.id, method=Verification.id_document_checked, actor="cs", allowed=ALL
        )
    assert verified.status is Status.open and verified.verification == "id_document_checked"
    assert verified.due_on >= first_due + timedelta(days=5)


def test_a_request_is_closed_only_with_an_outcome_the_person_can_read(engine: Engine) -> None:
    """One rule for the pages, the API and the CLI (the pages alone checked it before)."""
    with engine.begin() as conn:
        request = requests.open_request(
            conn, kind=Kind.access, channel=Channel.letter, person_id=b.person(conn), actor="cs"
        )
        with pytest.raises(RequestError, match="write the outcome") as refused:
            requests.close(conn, request.id, outcome="  \n ", actor="cs")
        assert (refused.value.code, refused.value.field) == ("no_outcome", "outcome")
        closed = requests.close(conn, request.id, outcome="  Sendt.  ", actor="cs")
    assert closed.status is Status.done and closed.outcome == "Sendt."


def test_a_copy_of_an_id_document_is_never_asked_for(engine: Engine) -> None:
    with engine.begin() as conn:
        request = requests.open_request(
            conn, kind=Kind.access, channel=Channel.email, person_id=None, actor="cs"
        )
        with pytest.raises(RequestError, match="never copied"):
            requests.verify_identity(
                conn, request.id, method=Verification.id_document_copy, actor="cs", allowed=ALL
            )
        with pytest.raises(RequestError, match="not one the policy allows"):
            requests.verify_identity(
                conn,
                request.id,
                method=Verification.one_time_code,
                actor="cs",
                allowed=(Verification.mine_sider,),
            )


def test_an_extension_needs_a_reason_and_must_be_told_in_time(engine: Engine) -> None:
    with engine.begin() as conn:
        request = requests.open_request(
            conn,
            kind=Kind.access,
            channel=Channel.email,
            person_id=None,
            actor="cs",
            received_at=at(date(2026, 1, 31)),
        )
        with pytest.raises(RequestError, match="too late"):
            requests.extend(
                conn,
                request.id,
                months=2,
                reason="mange saker",
                actor="dpo",
                told_at=at(date(2026, 3, 3)),
            )
        with pytest.raises(RequestError, match="not 3"):
            requests.extend(
                conn, request.id, months=3, reason="x", actor="dpo", told_at=at(date(2026, 2, 2))
            )
        extended = requests.extend(
            conn,
            request.id,
            months=2,
            reason="mange saker",
            actor="dpo",
            told_at=at(date(2026, 2, 20)),
        )
    assert extended.due_on == date(2026, 3, 2)
    assert extended.extended_to == date(2026, 4, 30) and extended.deadline == date(2026, 4, 30)


def test_the_queue_puts_the_overdue_first(engine: Engine) -> None:
    with engine.begin() as conn:
        for received in (date(2026, 6, 1), date(2025, 1, 6), date(2026, 2, 2)):
            requests.open_request(
                conn,
                kind=Kind.access,
                channel=Channel.email,
                person_id=None,
                actor="cs",
                received_at=at(received),
            )
        queue = requests.list_requests(conn)
    assert [r.received_on for r in queue] == [date(2025, 1, 6), date(2026, 2, 2), date(2026, 6, 1)]
    assert queue[0].overdue(date(2026, 11, 30))


def test_a_restricted_person_is_left_out_and_a_use_is_refused_and_audited(
    engine: Engine, vault: Vault
) -> None:
    with engine.begin() as conn:
        kari = b.person(conn)
        ola = b.person(conn, name="Ola", email="ola@example.test", phone="+4799999999")
        for person in (kari, ola):
            b.insert(
                conn,
                t.consents,
                person_id=person,
                activity="marketing",
                notice_version="1",
                given_at=datetime.now(UTC),
            )
        restriction.place(
            conn, kari, reason=restriction.Reason.accuracy, actor="dpo", request_id=None
        )
        audience = [r.person_id for r in marketing.audience(conn, vault)]
    assert audience == [ola]
    with pytest.raises(restriction.Restricted, match="restricted"):
        restriction.guard(engine, kari, purpose="marketing", actor="kampanje")
    restriction.guard(engine, ola, purpose="marketing", actor="kampanje")  # no refusal
    with engine.connect() as conn:
        refused = (
            conn.execute(
                select(t.audit_log.c.subject).where(t.audit_log.c.action == "restriction.refused")
            )
            .scalars()
            .all()
        )
    assert refused == [f"person:{kari}"]
    with engine.begin() as conn:
        restriction.lift(conn, kari, actor="dpo")
        assert sorted(r.person_id for r in marketing.audience(conn, vault)) == [kari, ola]
