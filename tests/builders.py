"""Rows for tests, written through SQLAlchemy Core into a real store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Table

from alarmvern.store import tables as t
from alarmvern.store.writes import insert_many
from alarmvern.vault import Vault

T0 = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)


def insert(conn: Connection, table: Table, **values: Any) -> int:
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def person(conn: Connection, vault: Vault | None = None, **values: Any) -> int:
    nin = values.pop("nin", None)
    defaults: dict[str, Any] = {
        "name": "Kari Nordmann",
        "email": "kari@example.test",
        "phone": "+4791234567",
        "street": "Storgata 1",
        "postcode": "0155",
        "city": "Oslo",
        "birth_date": date(1980, 6, 17),
    }
    person_id = insert(conn, t.persons, **(defaults | values))
    if nin and vault:
        subject = f"person:{person_id}"
        conn.execute(
            t.persons.update()
            .where(t.persons.c.id == person_id)
            .values(
                nin_enc=vault.encrypt_field(conn, subject, "persons", "nin_enc", nin),
                nin_lookup=vault.lookup_hash(conn, nin),
            )
        )
    return person_id


def account(conn: Connection, holder: int, number: str = "K1", **values: Any) -> int:
    defaults: dict[str, Any] = {
        "customer_no": number,
        "kind": "private",
        "holder_person_id": holder,
        "started_at": datetime(2020, 1, 1, tzinfo=UTC),
    }
    return insert(conn, t.customer_accounts, **(defaults | values))


def site(conn: Connection, account_id: int, **values: Any) -> int:
    defaults: dict[str, Any] = {
        "account_id": account_id,
        "street": "Storgata 1",
        "postcode": "0155",
        "city": "Oslo",
        "municipality": "Oslo",
        "latitude": 59.91,
        "longitude": 10.75,
        "panel_type": "Ajax Hub 2",
        "panel_account": f"{account_id:06d}",
    }
    return insert(conn, t.sites, **(defaults | values))


def events(
    conn: Connection, account_id: int, site_id: int, moments: list[datetime], **values: Any
) -> None:
    rows = [
        {
            "account_id": account_id,
            "site_id": site_id,
            "panel_account": f"{account_id:06d}",
            "protocol": "SIA-DCS",
            "code": "CL",
            "occurred_at": at,
            "received_at": at,
        }
        | values
        for at in moments
    ]
    insert_many(conn, t.alarm_events, rows)


def image(
    conn: Connection,
    vault: Vault,
    account_id: int,
    captured_at: datetime,
    incident: int | None = None,
) -> tuple[int, str]:
    blob_id = vault.new_blob_id()
    vault.put_blob(conn, f"account:{account_id}", "media", blob_id, b"\x89PNG test image")
    insert_many(
        conn,
        t.media,
        [
            {
                "account_id": account_id,
                "incident_id": incident,
                "kind": "image",
                "content_type": "image/png",
                "size": 15,
                "blob_id": blob_id,
                "captured_at": captured_at,
            }
        ],
    )
    media_id = conn.execute(
        t.media.select().with_only_columns(t.media.c.id).where(t.media.c.blob_id == blob_id)
    ).scalar_one()
    return int(media_id), blob_id
