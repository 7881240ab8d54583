"""Call recordings from the phone system: metadata, and audio encrypted in the vault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, or_, select

from alarmvern.intake.devices import Device
from alarmvern.intake.upload_rules import (
    UploadRefused,
    aware,
    check_size,
    need_kind,
)
from alarmvern.rights.scope import normalise
from alarmvern.store.engine import reading
from alarmvern.store.tables import (
    call_recordings,
    customer_accounts,
    incidents,
    persons,
)
from alarmvern.vault import Vault

MAX_AUDIO_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class StoredCall:
    id: int
    person_id: int | None
    audio: bool


MAX_PHONE = 32  # E.164 allows 15 digits; room for "+", spaces and an extension


def upload_call(
    engine: Engine,
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
    person when there is no account); tie it to the person whose number it is.

    The audio is encrypted and written to the blob store before the row's transaction, with
    no write lock held (as camera media are, :func:`alarmvern.intake.media.upload_media`);
    the transaction finds the same owner again, checks that their key was not shredded
    meanwhile, and writes the row. If it fails, the blob is deleted again."""
    need_kind(device, "phone_system")
    if direction not in ("in", "out"):
        raise UploadRefused(
            f"retning {direction!r}: send in eller out",
            f"direction {direction!r}: send in or out",
            "direction",
        )
    if phone is not None and len(phone) > MAX_PHONE:
        raise UploadRefused(
            f"telefonnummeret er over {MAX_PHONE} tegn",
            f"the phone number is over {MAX_PHONE} characters",
            "phone",
        )
    if duration_s is not None and duration_s < 0:
        raise UploadRefused(
            "duration_s kan ikke være negativ", "duration_s cannot be negative", "duration_s"
        )
    started = aware(started_at, "started_at")
    subject, blob_id = "", None
    if audio is not None:
        check_size(audio, MAX_AUDIO_BYTES, "audio")
        with reading(engine) as conn:
            subject = _owner(conn, phone, incident_id, account_id)[2]
            blob_id = vault.new_blob_id()
            vault.put_blob(conn, subject, "call_recordings", blob_id, audio)
    with vault.row_for_blob(engine, blob_id) as conn:
        account, person_id, owner = _owner(conn, phone, incident_id, account_id, audio)
        if blob_id is not None:
            if owner != subject:
                raise UploadRefused(
                    "kundeforholdet eller personen endret seg under opplastingen; send på nytt",
                    "the call's account or person changed during the upload; send it again",
                    "audio",
                )
            vault.check_key(conn, subject)
        key = conn.execute(
            call_recordings.insert().values(
                account_id=account,
                person_id=person_id,
                incident_id=incident_id,
                direction=direction,
                phone=normalise(phone) if phone else None,
                started_at=started,
                duration_s=duration_s,
                blob_id=blob_id,
            )
        ).inserted_primary_key
    assert key is not None
    return StoredCall(int(key[0]), person_id, audio is not None)


def _owner(
    conn: Connection,
    phone: str | None,
    incident_id: int | None,
    account_id: int | None,
    audio: bytes | None = b"",
) -> tuple[int | None, int | None, str]:
    """The call's account, person, and the vault subject of its audio ("" without audio)."""
    if incident_id is not None:
        incident_account = _incident_account(conn, incident_id)
        if account_id is not None and account_id != incident_account:
            raise UploadRefused(
                f"hendelse {incident_id} hører til et annet kundeforhold enn {account_id}; "
                f"send account_id {incident_account} eller ingen",
                f"incident {incident_id} "
                f"belongs to another account than {account_id}; send its own or none",
                "account_id",
            )
        account_id = incident_account
    elif account_id is not None:
        _known_account(conn, account_id)
    person_id = person_by_phone(conn, phone) if phone else None
    subject = _audio_subject(account_id, person_id) if audio is not None else ""
    return account_id, person_id, subject


def _incident_account(conn: Connection, incident_id: int) -> int | None:
    row = conn.execute(select(incidents.c.account_id).where(incidents.c.id == incident_id)).first()
    if row is None:
        raise UploadRefused(
            f"hendelse {incident_id} finnes ikke",
            f"incident {incident_id} does not exist",
            "incident_id",
        )
    return None if row.account_id is None else int(row.account_id)


def _known_account(conn: Connection, account_id: int) -> None:
    found = conn.execute(
        select(customer_accounts.c.id).where(customer_accounts.c.id == account_id)
    ).first()
    if found is None:
        raise UploadRefused(
            f"kundeforhold {account_id} finnes ikke",
            f"account {account_id} does not exist",
            "account_id",
        )


def _audio_subject(account_id: int | None, person_id: int | None) -> str:
    if account_id is not None:
        return f"account:{account_id}"
    if person_id is not None:
        return f"person:{person_id}"
    raise UploadRefused(
        "lydopptaket kan ikke knyttes til et kundeforhold eller en person; send bare metadata, "
        "eller oppgi account_id",
        "the audio belongs to no known account or person, so it cannot "
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
