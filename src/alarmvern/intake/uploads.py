"""What devices upload: verification media from cameras, home/away from the app, calls from
the phone system. Plain functions over the caller's transaction; ``web/uploads.py`` is the
HTTP shell around them.

Each refusal is an :class:`UploadRefused` with a ``code``, the ``field`` at fault and the
``http_status`` to answer with, so that the web layer need not know the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.intake import incidents as lifecycle
from alarmvern.intake.devices import Device
from alarmvern.policy.model import LegalBasis, Policy
from alarmvern.rights.consent import has_consent
from alarmvern.rights.scope import normalise
from alarmvern.store import partitions
from alarmvern.store.tables import (
    call_recordings,
    customer_accounts,
    incidents,
    media,
    panel_users,
    persons,
    presence,
    sites,
)
from alarmvern.vault import Vault

MAX_MEDIA_BYTES = 10 * 1024 * 1024
MAX_AUDIO_BYTES = 50 * 1024 * 1024
MEDIA_TYPES = {"image/jpeg": "image", "image/png": "image", "video/mp4": "video"}
HOME_RADIUS_M = 200.0
PRESENCE_CATEGORY = "user.location.presence"
_EARTH_RADIUS_M = 6_371_000.0


class UploadRefused(AlarmvernError):
    """An upload that is not taken in; ``code`` says why, ``field`` names the part at fault."""

    code = "invalid"
    http_status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WrongDevice(UploadRefused):
    code = "wrong_device"
    http_status = 403


class PresenceRefused(UploadRefused):
    code = "consent_missing"
    http_status = 403


class TooLarge(UploadRefused):
    code = "too_large"
    http_status = 413


class UnsupportedType(UploadRefused):
    code = "unsupported_type"
    http_status = 415


@dataclass(frozen=True)
class StoredMedia:
    id: int
    incident_id: int | None  # None: no open incident at the site (flagged for attention)


@dataclass(frozen=True)
class StoredCall:
    id: int
    person_id: int | None
    audio: bool


def _need(device: Device, kind: str) -> None:
    if device.kind != kind:
        raise WrongDevice(
            f"denne enheten ({device.kind}) kan ikke sende dette / "
            f"a {device.kind} device cannot upload this; only a {kind} can"
        )


def _check_size(data: bytes, limit: int, field: str) -> None:
    if len(data) > limit:
        raise TooLarge(
            f"filen er for stor (over {limit // (1024 * 1024)} MB) / "
            f"the file is larger than {limit // (1024 * 1024)} MB",
            field,
        )
    if not data:
        raise UploadRefused("filen er tom / the file is empty", field)


def _aware(at: datetime, field: str) -> datetime:
    if at.tzinfo is None:
        raise UploadRefused(
            f"{field} mangler tidssone / {field} needs a time zone (e.g. 2026-03-15T10:00:00Z)",
            field,
        )
    return at


# -- media ------------------------------------------------------------------------------------


def upload_media(
    conn: Connection,
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
    """
    _need(device, "camera")
    if device.site_id is None:
        raise WrongDevice("kameraet er ikke knyttet til et anlegg / the camera has no site")
    mime, kind = _media_type(content_type)
    _check_size(data, MAX_MEDIA_BYTES, "file")
    site_id = device.site_id
    account_id = int(
        conn.execute(select(sites.c.account_id).where(sites.c.id == site_id)).scalar_one()
    )
    requester = _requester(conn, account_id, requested_by) if on_demand else None
    incident_id = None if on_demand else lifecycle.open_for_site(conn, site_id)
    blob_id = vault.new_blob_id()
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
        captured_at=_aware(captured_at, "captured_at"),
    )
    vault.put_blob(conn, f"account:{account_id}", "media", blob_id, data)
    if incident_id is None and not on_demand:
        audit.append(
            conn,
            actor=f"device:{device.id}",
            action="media.unmatched",
            subject=f"media:{media_id}",
            details={"site": site_id, "reason": "no open incident at the site"},
        )
    return StoredMedia(media_id, incident_id)


def _media_type(content_type: str) -> tuple[str, str]:
    mime = content_type.split(";")[0].strip().lower()
    if mime not in MEDIA_TYPES:
        raise UnsupportedType(
            f"filtypen {content_type!r} tas ikke imot / content type {content_type!r} is not "
            f"accepted; send one of {', '.join(MEDIA_TYPES)}",
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
                "oppgi hvem som ba om bildet / give requested_by for an on-demand image",
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
            f"person {requested_by} hører ikke til dette kundeforholdet / person "
            f"{requested_by} is neither the holder nor a user of the site's account",
            "requested_by",
        )
    return requested_by


# -- presence ---------------------------------------------------------------------------------


def presence_activities(policy: Policy) -> list[str]:
    """The consent-based activities that process home/away status."""
    return [
        a.id
        for a in policy.activities_for(PRESENCE_CATEGORY)
        if a.legal_basis is LegalBasis.consent
    ]


def has_location_consent(conn: Connection, policy: Policy, person_id: int) -> bool:
    return any(has_consent(conn, person_id, a) for a in presence_activities(policy))


def record_presence(
    conn: Connection,
    policy: Policy,
    device: Device,
    *,
    state: str | None = None,
    position: tuple[float, float] | None = None,
    at: datetime,
) -> str:
    """Store home or away for the app's user; a position is turned into home/away at once
    against the site's coordinates, and dropped. Return the state stored."""
    _need(device, "app")
    if device.person_id is None:
        raise WrongDevice("appen er ikke knyttet til en person / the app has no person")
    if not has_location_consent(conn, policy, device.person_id):
        raise PresenceRefused(
            "du har ikke samtykket til hjemme/borte-status; slå det på i appen eller på Mine "
            "Sider / you have not given consent to home/away status; turn it on in the app or "
            "on Mine Sider",
            "consent",
        )
    if (state is None) == (position is None):
        raise UploadRefused("send enten state eller lat/lon / send either state or lat/lon")
    if position is not None:
        state = _home_or_away(conn, device, position)
    if state not in ("home", "away"):
        raise UploadRefused(f"state {state!r}: send home eller/or away", "state")
    conn.execute(
        presence.insert().values(
            account_id=device.account_id,
            person_id=device.person_id,
            state=state,
            recorded_at=_aware(at, "at"),
        )
    )
    return state


def _home_or_away(conn: Connection, device: Device, position: tuple[float, float]) -> str:
    lat, lon = position
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UploadRefused("ugyldig posisjon / lat must be -90..90 and lon -180..180", "lat")
    where = (
        sites.c.id == device.site_id if device.site_id else sites.c.account_id == device.account_id
    )
    homes = conn.execute(
        select(sites.c.latitude, sites.c.longitude).where(
            where, sites.c.latitude.is_not(None), sites.c.longitude.is_not(None)
        )
    ).all()
    if not homes:
        raise UploadRefused(
            "anlegget har ingen koordinater; send state i stedet / the site has no coordinates "
            "to compare with; send state instead",
            "lat",
        )
    near = any(distance_m(lat, lon, h.latitude, h.longitude) <= HOME_RADIUS_M for h in homes)
    return "home" if near else "away"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a))


# -- calls ------------------------------------------------------------------------------------


def upload_call(
    conn: Connection,
    vault: Vault,
    device: Device,
    *,
    direction: str,
    phone: str | None,
    started_at: datetime,
    duration_s: int | None,
    audio: bytes | None,
    incident_id: int | None = None,
    account_id: int | None = None,
) -> StoredCall:
    """Store a call's metadata and, if given, its audio encrypted under the account (or the
    person when there is no account); tie it to the person whose number it is."""
    _need(device, "phone_system")
    if direction not in ("in", "out"):
        raise UploadRefused(f"direction {direction!r}: send in eller/or out", "direction")
    if duration_s is not None and duration_s < 0:
        raise UploadRefused("duration_s kan ikke være negativ / cannot be negative", "duration_s")
    if incident_id is not None and account_id is None:
        account_id = _incident_account(conn, incident_id)
    elif account_id is not None:
        _known_account(conn, account_id)
    person_id = person_by_phone(conn, phone) if phone else None
    subject, blob_id = "", None
    if audio is not None:
        _check_size(audio, MAX_AUDIO_BYTES, "audio")
        subject, blob_id = _audio_subject(account_id, person_id), vault.new_blob_id()
    key = conn.execute(
        call_recordings.insert().values(
            account_id=account_id,
            person_id=person_id,
            incident_id=incident_id,
            direction=direction,
            phone=normalise(phone) if phone else None,
            started_at=_aware(started_at, "started_at"),
            duration_s=duration_s,
            blob_id=blob_id,
        )
    ).inserted_primary_key
    assert key is not None
    if audio is not None and blob_id is not None:
        vault.put_blob(conn, subject, "call_recordings", blob_id, audio)
    return StoredCall(int(key[0]), person_id, audio is not None)


def _incident_account(conn: Connection, incident_id: int) -> int | None:
    row = conn.execute(select(incidents.c.account_id).where(incidents.c.id == incident_id)).first()
    if row is None:
        raise UploadRefused(
            f"hendelse {incident_id} finnes ikke / incident {incident_id} does not exist",
            "incident_id",
        )
    return None if row.account_id is None else int(row.account_id)


def _known_account(conn: Connection, account_id: int) -> None:
    found = conn.execute(
        select(customer_accounts.c.id).where(customer_accounts.c.id == account_id)
    ).first()
    if found is None:
        raise UploadRefused(
            f"kundeforhold {account_id} finnes ikke / account {account_id} does not exist",
            "account_id",
        )


def _audio_subject(account_id: int | None, person_id: int | None) -> str:
    if account_id is not None:
        return f"account:{account_id}"
    if person_id is not None:
        return f"person:{person_id}"
    raise UploadRefused(
        "lydopptaket kan ikke knyttes til et kundeforhold eller en person; send bare metadata, "
        "eller oppgi account_id / the audio belongs to no known account or person, so it cannot "
        "be encrypted for anyone; send the metadata alone, or give account_id",
        "audio",
    )


def person_by_phone(conn: Connection, phone: str) -> int | None:
    """The one person whose phone number is ``phone`` (normalised), or None if none or many."""
    wanted = normalise(phone)
    digits = wanted.lstrip("+")[-8:]
    if not digits:
        return None
    compact = func.replace(func.replace(persons.c.phone, " ", ""), "-", "")
    rows = conn.execute(
        select(persons.c.id, persons.c.phone).where(
            or_(compact.like(f"%{digits}"), persons.c.phone == phone)
        )
    ).all()
    found = {int(r.id) for r in rows if r.phone and normalise(r.phone) == wanted}
    return found.pop() if len(found) == 1 else None
