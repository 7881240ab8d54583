"""The erasure journal: what each erasure did, by row id, kept outside the database.

A database restored from a backup taken before an erasure holds the erased rows again. The
journal lives in the data dir, apart from the database and its backups, as JSON lines:

- an *intent*, fsynced before the erasure's transaction commits, so that nothing is erased
  that the journal does not know of;
- a *commit* marker, fsynced after the transaction committed.

``replay`` re-applies to a restored database only the erasures that committed (an intent
without a marker was killed before its commit, or rolled back), and not one whose request
the restored database shows closed without an erasure. A commit lost to a crash between
the commit and its marker is found again by :func:`settle` on the live database (the
request's ``erased`` step names the entry). Row ids are never reused (AUTOINCREMENT on
SQLite, sequences on PostgreSQL), so an id in the journal names that row or none.

Entries hold table names and row ids only, never personal data. The shredded keys stay
shredded: they were deleted from the key store, which the database backup does not hold;
replay shreds them again in case the key store was restored too.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.rights.operations import Op, apply, shred_subjects
from alarmvern.store.datamap import bindings
from alarmvern.store.tables import metadata, rights_requests
from alarmvern.vault import Vault

FILE = "erasures.jsonl"


@dataclass
class Entry:
    at: datetime
    person_id: int
    request_id: int | None
    ops: list[Op]
    shredded: list[str]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    committed: bool = False  # a commit marker follows (lines from before markers: True)

    def line(self) -> str:
        body = {
            "kind": "intent",
            "id": self.id,
            "at": self.at.isoformat(),
            "person_id": self.person_id,
            "request_id": self.request_id,
            "ops": [op.as_dict() for op in self.ops],
            "shredded": self.shredded,
        }
        return json.dumps(body, separators=(",", ":")) + "\n"

    @staticmethod
    def parse(line: str, where: str) -> Entry:
        try:
            data: dict[str, Any] = json.loads(line)
            legacy = "kind" not in data  # written before there were commit markers
            return Entry(
                datetime.fromisoformat(data["at"]),
                int(data["person_id"]),
                data.get("request_id"),
                [Op.from_dict(op) for op in data["ops"]],
                list(data["shredded"]),
                id=str(data.get("id") or uuid.uuid4().hex),
                committed=legacy,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AlarmvernError(
                f"{where}: ikke en oppføring i sletteloggen ({exc})",
                f"{where}: not an erasure journal entry ({exc})",
                code="journal_damaged",
            ) from None


class Journal:
    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE

    def append(self, entry: Entry) -> None:
        """Write and fsync the intent; call before the erasure's transaction commits, so
        that nothing is erased that the journal does not know of."""
        self._write(entry.line())

    def committed(self, entry_id: str) -> None:
        """Write and fsync the commit marker; call once the erasure's transaction committed."""
        marker = {"kind": "committed", "id": entry_id, "at": datetime.now(UTC).isoformat()}
        self._write(json.dumps(marker, separators=(",", ":")) + "\n")

    def _write(self, line: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self, since: date | None = None) -> Iterator[Entry]:
        """Every intent (since ``since``), with ``committed`` set where a marker follows."""
        if not self.path.exists():
            return
        found: dict[str, Entry] = {}
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                where = f"{self.path}:{number}"
                if '"kind":"committed"' in line:
                    marked = found.get(_marker_id(line, where))
                    if marked is not None:
                        marked.committed = True
                    continue
                entry = Entry.parse(line, where)
                found[entry.id] = entry
        for entry in found.values():
            if since is None or entry.at.date() >= since:
                yield entry


def _marker_id(line: str, where: str) -> str:
    try:
        return str(json.loads(line)["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AlarmvernError(
            f"{where}: ikke et fullføringsmerke i sletteloggen ({exc})",
            f"{where}: not an erasure journal commit marker ({exc})",
            code="journal_damaged",
        ) from None


def _ended_without_erasure(conn: Connection, request_id: int | None) -> bool:
    """The request is in this database, closed, and no erasure step was done on it."""
    if request_id is None:
        return False
    row = conn.execute(
        select(rights_requests.c.status, rights_requests.c.steps).where(
            rights_requests.c.id == request_id
        )
    ).first()
    if row is None or row.status not in ("done", "refused"):
        return False
    return not any(s.get("step") == "erased" for s in (row.steps or []))


def settle(engine: Engine, journal: Journal) -> int:
    """On the live database: write the commit marker of every intent whose erasure did
    commit (its request's ``erased`` step names the entry) but whose marker was lost to a
    crash; return how many. Intents that did not commit stay unmarked, and replay skips
    them."""
    pending = [e for e in journal.entries() if not e.committed and e.request_id is not None]
    settled = 0
    with engine.connect() as conn:
        for entry in pending:
            steps = conn.execute(
                select(rights_requests.c.steps).where(rights_requests.c.id == entry.request_id)
            ).scalar()
            if any(s.get("step") == "erased" and s.get("journal") == entry.id for s in steps or []):
                journal.committed(entry.id)
                settled += 1
    return settled


def replay(engine: Engine, vault: Vault, journal: Journal, since: date, actor: str) -> int:
    """Re-apply every committed erasure since ``since``, each in its own transaction; return
    how many. Intents without a commit marker, and erasures whose request this database
    shows closed without one, are skipped.

    An entry whose rows are already gone changes nothing, so replaying twice is harmless.
    """
    blobs = {t.name: b.blob for t, b in bindings(metadata)}
    done = 0
    for entry in journal.entries(since):
        if not entry.committed:
            continue
        with engine.begin() as conn:
            if _ended_without_erasure(conn, entry.request_id):
                continue
            rows = sum(apply(conn, vault, op, entry.at, blobs.get(op.table)) for op in entry.ops)
            shred_subjects(conn, vault, entry.shredded)
            audit.append(
                conn,
                actor=actor,
                action="rights.erasure_replayed",
                subject=f"person:{entry.person_id}",
                purpose=f"rights-request:{entry.request_id}" if entry.request_id else "erasure",
                details={"erased_at": entry.at.isoformat(), "rows": rows},
                at=datetime.now(UTC),
            )
        done += 1
    return done
