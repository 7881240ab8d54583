"""Devices that upload to the alarm centre: cameras, the app on a phone, the phone system.

Each device gets a random token once, when it is registered; only the token's SHA-256 is
stored, so a copy of the database cannot upload. The token is 32 random bytes, so a slow
password hash would add nothing but latency to every upload.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.store.tables import devices, sites

KINDS = ("camera", "app", "phone_system")


class DeviceError(AlarmvernError):
    """A device that cannot be registered or revoked as asked."""


@dataclass(frozen=True)
class Device:
    id: int
    kind: str
    account_id: int | None
    site_id: int | None
    person_id: int | None
    name: str | None


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def register(
    conn: Connection,
    *,
    kind: str,
    account_id: int | None = None,
    site_id: int | None = None,
    person_id: int | None = None,
    name: str | None = None,
    actor: str = "system",
) -> tuple[int, str]:
    """Register a device; return its id and its token, which is shown this once only."""
    if kind not in KINDS:
        raise DeviceError(
            f"ukjent enhetstype {kind!r}: velg en av {', '.join(KINDS)}",
            f"device kind {kind!r}: choose one of {', '.join(KINDS)}",
            field="kind",
        )
    if kind == "camera" and site_id is None:
        raise DeviceError(
            "et kamera trenger anlegget det overvåker (site_id)",
            "a camera needs the site it watches (site_id)",
            field="site_id",
        )
    if kind == "app" and person_id is None:
        raise DeviceError(
            "appen trenger personen som bruker den (person_id)",
            "the app needs the person who uses it (person_id)",
            field="person_id",
        )
    if site_id is not None and account_id is None:
        account_id = _site_account(conn, site_id)
    token = secrets.token_urlsafe(32)
    values: dict[str, Any] = {
        "kind": kind,
        "account_id": account_id,
        "site_id": site_id,
        "person_id": person_id,
        "name": name,
        "token_hash": hash_token(token),
    }
    key = conn.execute(devices.insert().values(**values)).inserted_primary_key
    assert key is not None
    device_id = int(key[0])
    audit.append(
        conn,
        actor=actor,
        action="device.registered",
        subject=f"person:{person_id}" if person_id is not None else None,
        details={"device": device_id, "kind": kind, "site": site_id, "account": account_id},
    )
    return device_id, token


def _site_account(conn: Connection, site_id: int) -> int:
    account = conn.execute(select(sites.c.account_id).where(sites.c.id == site_id)).scalar()
    if account is None:
        raise DeviceError(
            f"anlegg {site_id} finnes ikke", f"site {site_id} does not exist", field="site_id"
        )
    return int(account)


def authenticate(conn: Connection, token: str) -> Device | None:
    """The device the token belongs to, or None if it is unknown or revoked."""
    if not token:
        return None
    row = conn.execute(
        select(devices).where(
            devices.c.token_hash == hash_token(token), devices.c.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return Device(
        id=int(row.id),
        kind=row.kind,
        account_id=_int(row.account_id),
        site_id=_int(row.site_id),
        person_id=_int(row.person_id),
        name=row.name,
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def revoke(conn: Connection, device_id: int, *, actor: str = "system") -> None:
    """Stop the device's token from working; its uploads so far stay."""
    revoked = conn.execute(
        update(devices)
        .where(devices.c.id == device_id, devices.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    ).rowcount
    if not revoked:
        raise DeviceError(
            f"enhet {device_id} finnes ikke eller er allerede tilbakekalt",
            f"device {device_id} does not exist or is already revoked",
            field="device",
        )
    audit.append(conn, actor=actor, action="device.revoked", details={"device": device_id})
