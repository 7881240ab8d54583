"""Rectification (art. 16) with its history, and the notices to recipients (art. 19)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select

from alarmvern.policy import load
from alarmvern.policy.model import Policy
from alarmvern.rights import recipient_letters
from alarmvern.rights.rectify import Rectification, RectifyError, history, rectify
from alarmvern.store import tables as t
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from tests import builders as b


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault(MasterKey.generate(), FolderBlobStore(tmp_path / "blobs"))


@pytest.fixture
def policy() -> Policy:
    return load("default").policy


def _person(conn: Connection, row_id: int) -> dict[str, object]:
    row = conn.execute(select(t.persons).where(t.persons.c.id == row_id)).one()
    return dict(row._mapping)


def _fix(
    conn: Connection, vault: Vault, person: int, table: str, row: int, column: str, value: object
) -> Rectification:
    return rectify(
        conn,
        vault,
        person_id=person,
        table_name=table,
        row_id=row,
        column=column,
        new_value=value,
        actor="cs:anne",
    )


def test_a_correction_changes_the_row_and_keeps_the_old_value_encrypted(
    engine: Engine, vault: Vault
) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        request = b.insert(
            conn,
            t.rights_requests,
            person_id=kari,
            kind="rectification",
            channel="email",
            received_at=datetime(2026, 3, 1, tzinfo=UTC),
            due_on=date(2026, 4, 1),
            status="open",
        )
        done = rectify(
            conn,
            vault,
            person_id=kari,
            table_name="persons",
            row_id=kari,
            column="email",
            new_value="kari.nordmann@example.test",
            actor="cs:anne",
            request_id=request,
        )
        assert _person(conn, kari)["email"] == "kari.nordmann@example.test"
        stored = conn.execute(select(t.rectifications)).one()
        entry = conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq.desc())).first()
        found = history(conn, vault, kari)
    assert (done.old_value, done.category) == ("kari@example.test", "user.contact.email")
    assert stored.old_value_enc and "kari@" not in stored.old_value_enc
    assert (stored.request_id, stored.target_table, stored.target_id) == (request, "persons", kari)
    assert [(h.column, h.old_value, h.changed_by) for h in found] == [
        ("email", "kari@example.test", "cs:anne")
    ]
    assert entry is not None and entry.action == "rights.rectified"
    assert entry.purpose == f"rights-request:{request}"
    assert "example.test" not in entry.details and '"column": "email"' in entry.details


def test_only_personal_columns_may_be_changed(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        account = b.account(conn, kari)
        with pytest.raises(RectifyError, match=r"persons\.created_at is not a personal column"):
            _fix(conn, vault, kari, "persons", kari, "created_at", "2020-01-01T00:00:00+00:00")
        with pytest.raises(RectifyError, match=r"customer_accounts\.holder_person_id"):
            _fix(conn, vault, kari, "customer_accounts", account, "holder_person_id", "99")
        with pytest.raises(RectifyError, match="keyed hash"):
            _fix(conn, vault, kari, "persons", kari, "nin_lookup", "x")
        with pytest.raises(RectifyError, match="audit_log is not a table"):
            _fix(conn, vault, kari, "audit_log", 1, "actor", "x")
        with pytest.raises(RectifyError, match="rectifications is not a table"):
            _fix(conn, vault, kari, "rectifications", 1, "old_value_enc", "x")
        assert conn.execute(select(t.rectifications)).all() == []


def test_the_row_must_concern_the_person(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        ola = b.person(conn, vault, name="Ola", email="ola@example.test", phone="+4799999999")
        olas = b.account(conn, ola, "K2")
        site = b.site(conn, olas)
        user = b.insert(conn, t.panel_users, account_id=olas, site_id=site, user_no=2)
        with pytest.raises(RectifyError, match=f"row {ola} of persons does not concern"):
            _fix(conn, vault, kari, "persons", ola, "name", "Ola Hansen")
        with pytest.raises(RectifyError, match="does not concern"):
            _fix(conn, vault, kari, "panel_users", user, "display_name", "Per")
        # The holder of the account may correct its panel users' names.
        _fix(conn, vault, ola, "panel_users", user, "display_name", "Per")
        name = conn.execute(select(t.panel_users.c.display_name)).scalar_one()
        assert (_person(conn, ola)["name"], name) == ("Ola", "Per")


def test_values_are_typed_and_bad_ones_refused_without_echo(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        _fix(conn, vault, kari, "persons", kari, "birth_date", "1981-02-03")
        assert _person(conn, kari)["birth_date"] == date(1981, 2, 3)
        with pytest.raises(RectifyError, match="needs a date value") as refused:
            _fix(conn, vault, kari, "persons", kari, "birth_date", "3rd of May")
        assert "May" not in str(refused.value)
        with pytest.raises(RectifyError, match="already holds that value"):
            _fix(conn, vault, kari, "persons", kari, "birth_date", "1981-02-03")
        assert [h.old_value for h in history(conn, vault, kari)] == ["1980-06-17"]


def test_an_encrypted_value_is_re_encrypted_and_its_lookup_follows(
    engine: Engine, vault: Vault
) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault, nin="01017012345")
        done = _fix(conn, vault, kari, "persons", kari, "nin", "02017012345")
        row = _person(conn, kari)
        stored = vault.decrypt_field(
            conn, f"person:{kari}", "persons", "nin_enc", str(row["nin_enc"])
        )
        assert stored == "02017012345"
        assert row["nin_lookup"] == vault.lookup_hash(conn, "02017012345")
        assert (done.column, done.old_value) == ("nin_enc", "01017012345")


def test_history_is_shredded_with_the_person(engine: Engine, vault: Vault) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        _fix(conn, vault, kari, "persons", kari, "street", "Nygata 2")
        _fix(conn, vault, kari, "persons", kari, "street", "Nygata 3")
        assert [h.old_value for h in history(conn, vault, kari)] == ["Storgata 1", "Nygata 2"]
        vault.shred(conn, f"person:{kari}")
        assert [h.old_value for h in history(conn, vault, kari)] == [None, None]


def _disclose(conn: Connection, recipient: str, categories: list[str], **values: object) -> None:
    at = values.pop("at", datetime(2026, 2, 1, 12, tzinfo=UTC))
    b.insert(
        conn,
        t.disclosures,
        recipient=recipient,
        activity="alarm-monitoring",
        categories=categories,
        disclosed_at=at,
        **values,
    )


def test_recipients_that_received_a_category_are_found(
    engine: Engine, vault: Vault, policy: Policy
) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        ola = b.person(conn, vault, name="Ola", email="ola@example.test")
        account = b.account(conn, kari)
        _disclose(conn, "guard-company", ["user.name", "user.alarm.event"], person_id=kari)
        _disclose(conn, "email-service", ["user.contact"], person_id=kari)
        _disclose(conn, "police", ["user.alarm.media"], account_id=account, reference="2026-9")
        _disclose(conn, "it-hosting", ["user.name"], person_id=ola)
        _disclose(conn, "support-desk", ["user.contact.email_alias"], person_id=kari)
        _disclose(
            conn,
            "guard-company",
            ["user.name"],
            person_id=kari,
            at=datetime(2026, 3, 5, tzinfo=UTC),
        )

        def find(*categories: str) -> list[recipient_letters.RecipientNotice]:
            return recipient_letters.recipients_to_notify(
                conn, policy, person_id=kari, account_ids=(account,), categories=list(categories)
            )

        by_email = find("user.contact.email")
        by_name = find("user.name")
        by_alarm = find("user.alarm")
    assert [(n.recipient, n.categories) for n in by_email] == [
        ("email-service", ["user.contact.email"])
    ]
    assert [n.recipient for n in by_name] == ["guard-company"]
    assert by_name[0].name == {"nb": "Eksempel Vakt AS", "en": "Eksempel Vakt AS"}
    assert [r.date() for r in by_name[0].received] == [date(2026, 2, 1), date(2026, 3, 5)]
    assert [(n.recipient, n.categories) for n in by_alarm] == [
        ("guard-company", ["user.alarm.event"]),
        ("police", ["user.alarm.media"]),
    ]
    assert by_alarm[1].references == ["2026-9"]


def test_letters_name_the_person_only_by_reference(
    engine: Engine, vault: Vault, policy: Policy
) -> None:
    with engine.begin() as conn:
        kari = b.person(conn, vault)
        _disclose(conn, "guard-company", ["user.name"], person_id=kari)
        _disclose(conn, "ny-alarm-as", ["user.contact.address"], person_id=kari)
        found = recipient_letters.recipients_to_notify(
            conn, policy, person_id=kari, categories=["user.name", "user.contact.address"]
        )
    guard, chosen = sorted(found, key=lambda n: n.recipient)
    text = recipient_letters.letter(guard, "rectification")
    assert text.startswith("Melding om retting av personopplysninger")
    assert "Til: Eksempel Vakt AS" in text and f"Vår referanse: person:{kari}" in text
    assert "- Navn (user.name)" in text and "2026-02-01" in text
    assert "Eksempel Alarm AS" in text
    for personal in ("Kari", "Nordmann", "kari@example.test", "Storgata", "91234567"):
        assert personal not in text
    english = recipient_letters.letter(chosen, "erasure", lang="en")
    assert english.startswith("Notice of erasure of personal data")
    assert "To: ny-alarm-as" in english and "- Address (user.contact.address)" in english
    restriction = recipient_letters.letter(guard, "restriction")
    assert "begrenset" in restriction and "art. 18" in restriction
