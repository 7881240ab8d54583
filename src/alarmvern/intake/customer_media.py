"""A customer's own images, videos and sounds: a page of them and one file, for the accounts
they hold. One home for Mine Sider and the API; the operator's way to an incident's images
is :func:`alarmvern.intake.operators.media_content`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from alarmvern.store.tables import media
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault

# What a browser may show in the page; anything else is offered as a download.
INLINE = ("image/", "video/", "audio/")


@dataclass(frozen=True)
class MediaFile:
    data: bytes
    content_type: str

    @property
    def shown_as(self) -> str:
        """The type to serve it as: its own where a browser shows it safely inline."""
        if self.content_type.startswith(INLINE):
            return self.content_type
        return "application/octet-stream"


@dataclass(frozen=True)
class MediaEntry:
    id: int
    kind: str
    image: bool
    captured_at: datetime
    on_demand: bool
    incident_id: int | None
    size: int


def media_page(
    conn: Connection, accounts: list[int], *, page: int, size: int
) -> tuple[list[MediaEntry], bool]:
    """One page of the accounts' media, newest first, and whether there is a next page."""
    if not accounts:
        return [], False
    rows = conn.execute(
        select(
            media.c.id,
            media.c.kind,
            media.c.content_type,
            media.c.captured_at,
            media.c.on_demand,
            media.c.incident_id,
            media.c.size,
        )
        .where(media.c.account_id.in_(accounts))
        .order_by(media.c.captured_at.desc(), media.c.id.desc())
        .limit(size + 1)
        .offset((page - 1) * size)
    ).all()
    entries = [
        MediaEntry(
            id=int(r.id),
            kind=r.kind,
            image=r.content_type.startswith("image/"),
            captured_at=as_utc(r.captured_at),
            on_demand=bool(r.on_demand),
            incident_id=r.incident_id,
            size=int(r.size),
        )
        for r in rows[:size]
    ]
    return entries, len(rows) > size


def own_media(
    conn: Connection, vault: Vault, accounts: list[int], media_id: int
) -> MediaFile | None:
    """The file, if it belongs to one of ``accounts``; None for any other id, so that ids of
    other customers' media cannot be told from ids that do not exist."""
    row = conn.execute(
        select(media.c.account_id, media.c.blob_id, media.c.content_type).where(
            media.c.id == media_id
        )
    ).first()
    if row is None or row.account_id is None or row.account_id not in accounts:
        return None
    data = vault.get_blob(conn, f"account:{row.account_id}", "media", row.blob_id)
    return MediaFile(data, row.content_type)
