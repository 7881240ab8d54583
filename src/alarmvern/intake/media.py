"""Verification media from cameras, tied to the incident open at the site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from alarmvern import audit
from alarmvern.intake import incidents as lifecycle
from alarmvern.intake.devices import Device
from alarmvern.intake.upload_rules import (
    UnsupportedType,
    UploadRefused,
    WrongDevice,
    aware,
    check_size,
    need_kind,
)
from alarmvern.store import partitions
from alarmvern.store.engine import reading
from alarmvern.store.tables import (
    customer_accounts,
    media,
    panel_users,
    sites,
)
from alarmvern.vault import Vault

MAX_MEDIA_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {"image/jpeg": "image", "image/png": "image", "video/mp4": "video"}


@dataclass(frozen=True)
class StoredMedia:
    id: int
    incident_id: int | None  # None: no open incident at the site (flagged for attention)


def upload_media(
    engine: Engine,
    vault: Vault,
    device: Device,
    data: bytes,
    content_type: str,
    captured_at: datetime,
    on_demand: bool = False,
    requested_by: int | None = None,
) -> StoredMedia:
    """Store an image or video from a camera, encrypted under the site's account.

    Alarm media go with the incident open at the site, or are flagged (``media.unmatched``)
    when none is. On-demand images belong to the customer who asked, never to an incident.

    The image is encrypted and written to the blob store *before* its row's transaction,
    with no write lock held (on SQLite a 10 MB image would otherwise keep every other
    writer, the alarm receiver's too, waiting for the cipher and the disk). The transaction
    then only checks that the account's key was not shredded meanwhile and writes the row;
    if it fails, the blob is deleted again.
    """
    need_kind(device, "camera")
    if device.site_id is None:
        raise WrongDevice("kameraet er ikke knyttet til et anlegg", "the camera has no site")
    mime, kind = _media_type(content_type)
    check_size(data, MAX_MEDIA_BYTES, "file")
    captured = aware(captured_at, "captured_at")
    site_id = device.site_id
    with reading(engine) as conn:
        account_id = _account_of(conn, site_id)
        subject = f"account:{account_id}"
        blob_id = vault.new_blob_id()
        vault.put_blob(conn, subject, "media", blob_id, data)
    with vault.row_for_blob(engine, blob_id) as conn:
        if _account_of(conn, site_id) != account_id:
            raise UploadRefused(
                "anlegget byttet kundeforhold under opplastingen; send på nytt",
                "the site moved to another account during the upload; send it again",
                "file",
            )
        vault.check_key(conn, subject)
        requester = _requester(conn, account_id, requested_by) if on_demand else None
        incident_id = None if on_demand else lifecycle.open_for_site(conn, site_id)
        media_id = _insert_media(
            conn,
            account_id=account_id,
            site_id=site_id,
            incident_id=incident_id,
            person_id=requester,
            kind=kind,
            content_type=mime,
            size=len(data),
            blob_id=blob_id,
            on_demand=on_demand,
            captured_at=captured,
        )
        if incident_id is None and not on_demand:
            audit.append(
                conn,
                actor=f"device:{device.id}",
                action="media.unmatched",
                subject=f"media:{media_id}",
                details={"site": site_id, "reason": "no open incident at the site"},
            )
    return StoredMedia(media_id, incident_id)


def _account_of(conn: Connection, site_id: int) -> int:
    return int(conn.execute(select(sites.c.account_id).where(sites.c.id == site_id)).scalar_one())


def _media_type(content_type: str) -> tuple[str, str]:
    mime = content_type.split(";")[0].strip().lower()
    if mime not in MEDIA_TYPES:
        raise UnsupportedType(
            f"filtypen {content_type!r} tas ikke imot",
            f"content type {content_type!r} is not accepted; send one of {', '.join(MEDIA_TYPES)}",
            "file",
        )
    return mime, MEDIA_TYPES[mime]


def _insert_media(conn: Connection, **values: Any) -> int:
    # On PostgreSQL media are partitioned by month: make sure the month's partition exists.
    partitions.ensure(conn, "media", {values["captured_at"]})
    key = conn.execute(media.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _requester(conn: Connection, account_id: int, requested_by: int | None) -> int:
    """Who asked for an on-demand image: the account holder, or one of its panel users."""
    holder = conn.execute(
        select(customer_accounts.c.holder_person_id).where(customer_accounts.c.id == account_id)
    ).scalar()
    if requested_by is None or requested_by == holder:
        if holder is None:
            raise UploadRefused(
                "oppgi hvem som ba om bildet",
                "give requested_by for an on-demand image",
                "requested_by",
            )
        return int(holder)
    user = conn.execute(
        select(panel_users.c.id).where(
            panel_users.c.account_id == account_id,
            panel_users.c.person_id == requested_by,
            panel_users.c.removed_at.is_(None),
        )
    ).first()
    if user is None:
        raise UploadRefused(
            f"person {requested_by} hører ikke til dette kundeforholdet",
            f"person {requested_by} is neither the holder nor a user of the site's account",
            "requested_by",
        )
    return requested_by
