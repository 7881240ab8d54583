"""An append-only log in which each entry carries the hash of the one before.

The hash of entry n covers its sequence number, every field and the hash of entry n-1, so
editing, deleting, inserting or reordering entries breaks the chain at the first place
touched, and :func:`verify` names that place. On a protected engine the hash is an
HMAC-SHA256 under a key outside the database, and the head is anchored outside it too
(:mod:`alarmvern.audit.anchor`), so that forged appends, re-chaining, and deleting the last
entries or all of them are caught as well. Entries hold identifiers and counts, never the
content of personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, text

from alarmvern.audit.anchor import AnchorError, Protection, protection_of
from alarmvern.audit.anchor import read as read_anchor
from alarmvern.store.tables import audit_log
from alarmvern.store.tables._columns import as_utc

GENESIS = "0" * 64
# PostgreSQL: one transaction at a time may extend the chain (an arbitrary, fixed lock id).
_PG_CHAIN_LOCK = 0x414C524D
_HEAD = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    purpose: str | None
    details: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Break:
    """The first entry at which the chain does not hold, and what is wrong with it."""

    seq: int
    problem: str


def _digest(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str | None,
    purpose: str | None,
    details: str,
    prev_hash: str,
    key: bytes | None = None,
) -> str:
    canonical = json.dumps(
        [seq, _utc_text(at), actor, action, subject, purpose, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _utc_text(at: datetime) -> str:
    return as_utc(at).astimezone(UTC).isoformat(timespec="microseconds")


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    purpose: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction, so it commits with what it records."""
    entry = Entry(actor, action, subject, purpose, details, at)
    return append_many(conn, [entry])[0]


@dataclass(frozen=True)
class Entry:
    """An entry to append: what :func:`append` takes."""

    actor: str
    action: str
    subject: str | None = None
    purpose: str | None = None
    details: Mapping[str, Any] | None = None
    at: datetime | None = None


def append_many(conn: Connection, wanted: Sequence[Entry]) -> list[AuditEntry]:
    """Append ``wanted`` in order in the caller's transaction: the chain is read and locked
    once and the entries inserted in one statement (intake opening many incidents at once)."""
    if not wanted:
        return []
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    last = conn.execute(_HEAD).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    protection = protection_of(conn)
    key = protection.key if protection else None
    now = datetime.now(UTC)
    written = []
    for item in wanted:
        at = item.at or now
        body = json.dumps(dict(item.details or {}), sort_keys=True, ensure_ascii=False,
                          default=str)  # fmt: skip
        digest = _digest(seq, at, item.actor, item.action, item.subject, item.purpose, body,
                         prev, key)  # fmt: skip
        written.append(AuditEntry(seq, at, item.actor, item.action, item.subject, item.purpose,
                                  body, prev, digest))  # fmt: skip
        seq, prev = seq + 1, digest
    conn.execute(audit_log.insert(), [entry.__dict__ for entry in written])
    return written


def entries(conn: Connection, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, read in batches so memory stays flat."""
    after = 0
    while True:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield AuditEntry(**row._mapping)
        after = rows[-1].seq


def verify(conn: Connection, protection: Protection | None = None) -> tuple[int, Break | None]:
    """Walk the chain; return the number of entries and the first break, if any.

    With ``protection`` (the key and the anchor file), every entry from the anchor's
    ``keyed_from`` on must carry the keyed hash, and the chain must reach the anchored
    head through the anchored hash."""
    protection = protection or protection_of(conn)
    try:
        anchored = read_anchor(protection) if protection else None
    except AnchorError as exc:
        return 0, Break(0, str(exc))
    if protection is not None and anchored is None:
        return 0, Break(0, f"the anchor file {protection.path} is missing; restore it")
    key = protection.key if protection else None
    keyed_from = anchored.keyed_from if anchored else 0
    count, broken, hashes = _walk(conn, key, keyed_from, anchored.seq if anchored else 0)
    if broken is None and anchored is not None and anchored.seq > 0:
        if count < anchored.seq:
            broken = Break(
                count + 1,
                f"entries {count + 1} to {anchored.seq} are missing: the anchor records "
                f"{anchored.seq} entries",
            )
        elif hashes.get(anchored.seq) != anchored.hash:
            broken = Break(anchored.seq, "is not the entry the anchor records (rewritten)")
    return count, broken


def _walk(
    conn: Connection, key: bytes | None, keyed_from: int, anchored_seq: int
) -> tuple[int, Break | None, dict[int, str]]:
    expected_seq, prev = 1, GENESIS
    count = 0
    hashes: dict[int, str] = {}
    for entry in entries(conn):
        count += 1
        if entry.seq != expected_seq:
            kind = "removed" if entry.seq > expected_seq else "inserted"
            problem = f"expected entry {expected_seq}: an entry was {kind}"
            return count, Break(entry.seq, problem), {}
        if entry.prev_hash != prev:
            problem = "does not follow the entry before (removed or moved)"
            return count, Break(entry.seq, problem), {}
        fields = (
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.subject,
            entry.purpose,
            entry.details,
            entry.prev_hash,
        )
        good = key is not None and hmac.compare_digest(_digest(*fields, key=key), entry.hash)
        if not good and (key is None or entry.seq < keyed_from):
            good = _digest(*fields) == entry.hash  # written before the chain was keyed
        if not good:
            return count, Break(entry.seq, "its content was changed after it was written"), {}
        if entry.seq == anchored_seq:
            hashes[entry.seq] = entry.hash
        expected_seq, prev = entry.seq + 1, entry.hash
    return count, None, hashes


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
