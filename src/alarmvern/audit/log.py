"""An append-only log in which each entry carries the SHA-256 of the one before.

The hash of entry n covers its sequence number, every field and the hash of entry n-1, so
editing, deleting, inserting or reordering entries breaks the chain at the first place
touched, and :func:`verify` names that place. Entries hold identifiers and counts, never the
content of personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, text

from alarmvern.store.tables import audit_log
from alarmvern.store.tables._columns import as_utc

GENESIS = "0" * 64
# PostgreSQL: one transaction at a time may extend the chain (an arbitrary, fixed lock id).
_PG_CHAIN_LOCK = 0x414C524D


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
) -> str:
    canonical = json.dumps(
        [seq, _utc_text(at), actor, action, subject, purpose, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = at or datetime.now(UTC)
    body = json.dumps(dict(details or {}), sort_keys=True, ensure_ascii=False, default=str)
    digest = _digest(seq, at, actor, action, subject, purpose, body, prev)
    entry = AuditEntry(seq, at, actor, action, subject, purpose, body, prev, digest)
    conn.execute(audit_log.insert().values(**entry.__dict__))
    return entry


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


def verify(conn: Connection) -> tuple[int, Break | None]:
    """Walk the chain; return the number of entries and the first break, if any."""
    expected_seq, prev = 1, GENESIS
    count = 0
    for entry in entries(conn):
        count += 1
        if entry.seq != expected_seq:
            kind = "removed" if entry.seq > expected_seq else "inserted"
            return count, Break(entry.seq, f"expected entry {expected_seq}: an entry was {kind}")
        if entry.prev_hash != prev:
            return count, Break(entry.seq, "does not follow the entry before (removed or moved)")
        recomputed = _digest(
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.subject,
            entry.purpose,
            entry.details,
            entry.prev_hash,
        )
        if recomputed != entry.hash:
            return count, Break(entry.seq, "its content was changed after it was written")
        expected_seq, prev = entry.seq + 1, entry.hash
    return count, None


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())
