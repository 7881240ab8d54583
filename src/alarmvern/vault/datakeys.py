"""Data keys in ``subject_keys``: one AES-256 key per data subject, wrapped by the master key.

Every function takes the caller's ``Connection``, so key creation, shredding and rotation are
part of the caller's transaction: a rolled-back transaction leaves no key behind.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from alarmvern.errors import VaultError
from alarmvern.store.tables import subject_keys
from alarmvern.vault.keys import KEY_BYTES, MasterKey

_SUBJECT = re.compile(r"[a-z][a-z0-9_]*:[A-Za-z0-9_.-]+")
_SUBJECT_MAX = 64


@dataclass(frozen=True, slots=True)
class StoredKey:
    subject: str
    wrapped: bytes
    master_key_id: str


def check_subject(subject: str) -> str:
    if len(subject) > _SUBJECT_MAX or not _SUBJECT.fullmatch(subject):
        raise VaultError(
            f"{subject[:_SUBJECT_MAX]!r} er ikke en id for en registrert; skriv "
            "type:id, f.eks. person:42 eller account:7 (høyst 64 tegn)",
            f"data subject {subject[:_SUBJECT_MAX]!r} is not a subject id; write "
            "kind:id, e.g. person:42 or account:7 (at most 64 characters)",
            field="subject",
        )
    return subject


def read(conn: Connection, subject: str) -> StoredKey | None:
    row = conn.execute(
        select(subject_keys.c.wrapped_key, subject_keys.c.master_key_id).where(
            subject_keys.c.subject == subject
        )
    ).first()
    if row is None:
        return None
    return StoredKey(subject, bytes(row.wrapped_key), row.master_key_id)


def create(conn: Connection, master: MasterKey, subject: str) -> StoredKey:
    """Store a new wrapped key for ``subject``, unless a concurrent transaction just did;
    either way return the key now stored."""
    wrapped = master.wrap(subject, os.urandom(KEY_BYTES))
    values = {"subject": subject, "wrapped_key": wrapped, "master_key_id": master.id}
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(subject_keys).values(**values)
        conn.execute(pg.on_conflict_do_nothing(index_elements=["subject"]))
    elif conn.dialect.name == "sqlite":
        lite = sqlite.insert(subject_keys).values(**values)
        conn.execute(lite.on_conflict_do_nothing(index_elements=["subject"]))
    else:  # pragma: no cover - the store supports only the two
        conn.execute(subject_keys.insert().values(**values))
    stored = read(conn, subject)
    assert stored is not None, "the key row was just inserted"
    return stored


def unwrap(master: MasterKey, stored: StoredKey) -> bytes:
    """The plain data key; a clear error if another master key wrapped it."""
    if stored.master_key_id != master.id:
        raise VaultError(
            f"datanøkkelen for {stored.subject} er pakket inn under hovednøkkel "
            f"{stored.master_key_id}, men hovednøkkelen som er gitt er {master.id}; bruk "
            "nøkkelen lageret ble satt opp med (nøkkelfilen eller ALARMVERN_MASTER_KEY)",
            f"the data key of {stored.subject} is wrapped under master key "
            f"{stored.master_key_id}, but the master key given is {master.id}; use the master "
            "key this store was set up with (key file or ALARMVERN_MASTER_KEY)",
            field="master_key",
            code="wrong_master_key",
        )
    try:
        return master.unwrap(stored.subject, stored.wrapped)
    except InvalidTag:
        raise VaultError(
            f"datanøkkelen for {stored.subject} åpnes ikke med hovednøkkel {master.id}: "
            "raden i subject_keys er endret eller flyttet; legg den tilbake fra en sikkerhetskopi",
            f"the data key of {stored.subject} does not open with master key {master.id}: "
            "the subject_keys row was altered or moved; restore it from a backup",
            code="not_decryptable",
        ) from None


def remove(conn: Connection, subject: str) -> bool:
    if conn.dialect.name == "sqlite":
        # Overwrite the deleted row's bytes in the database file instead of leaving them in
        # a free page; the setting lasts for this connection.
        conn.exec_driver_sql("PRAGMA secure_delete = ON")
    result = conn.execute(delete(subject_keys).where(subject_keys.c.subject == subject))
    return result.rowcount > 0


def rewrap_all(conn: Connection, old: MasterKey, new: MasterKey, batch_size: int) -> int:
    """Re-wrap every data key from ``old`` to ``new``, ``batch_size`` rows at a time (keyset
    pagination, so memory stays flat). Keys already under ``new`` are left as they are, so an
    interrupted rotation can be run again. Returns how many keys were re-wrapped."""
    if new.id == old.id:
        raise VaultError(
            f"den nye hovednøkkelen er den som er i bruk ({old.id}); lag en ny",
            f"the new master key is the one in use ({old.id}); generate a new one",
            field="master_key",
            code="same_key",
        )
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    done = 0
    after = ""
    while True:
        rows = conn.execute(
            select(subject_keys.c.subject, subject_keys.c.wrapped_key, subject_keys.c.master_key_id)
            .where(subject_keys.c.subject > after)
            .order_by(subject_keys.c.subject)
            .limit(batch_size)
        ).all()
        if not rows:
            return done
        for row in rows:
            if row.master_key_id == new.id:
                continue
            stored = StoredKey(row.subject, bytes(row.wrapped_key), row.master_key_id)
            key = unwrap(old, stored)
            conn.execute(
                update(subject_keys)
                .where(subject_keys.c.subject == row.subject)
                .values(wrapped_key=new.wrap(row.subject, key), master_key_id=new.id)
            )
            done += 1
        after = rows[-1].subject
