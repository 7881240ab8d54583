"""The erasure journal: what each erasure did, by row id, kept outside the database.

A database restored from a backup taken before an erasure holds the erased rows again. The
journal lives in the data dir, apart from the database and its backups, one JSON line per
erasure, fsynced before the erasure commits; ``replay`` re-applies every entry since a date
to the restored database. Entries hold table names and row ids only, never personal data.
The shredded keys stay shredded: a restored database still has the wrapped keys, so replay
shreds them again, and media encrypted under them stay unreadable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from alarmvern import audit
from alarmvern.errors import AlarmvernError
from alarmvern.rights.operations import Op, apply, shred_subjects
from alarmvern.store.datamap import bindings
from alarmvern.store.tables import metadata
from alarmvern.vault import Vault

FILE = "erasures.jsonl"


@dataclass
class Entry:
    at: datetime
    person_id: int
    request_id: int | None
    ops: list[Op]
    shredded: list[str]

    def line(self) -> str:
        body = {
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
            return Entry(
                datetime.fromisoformat(data["at"]),
                int(data["person_id"]),
                data.get("request_id"),
                [Op.from_dict(op) for op in data["ops"]],
                list(data["shredded"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AlarmvernError(f"{where}: not an erasure journal entry ({exc})") from None


class Journal:
    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE

    def append(self, entry: Entry) -> None:
        """Write and fsync one entry; call before the erasure's transaction commits, so that
        nothing is erased that the journal does not know of."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, entry.line().encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self, since: date | None = None) -> Iterator[Entry]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                entry = Entry.parse(line, f"{self.path}:{number}")
                if since is None or entry.at.date() >= since:
                    yield entry


def replay(engine: Engine, vault: Vault, journal: Journal, since: date, actor: str) -> int:
    """Re-apply every erasure since ``since``, each in its own transaction; return how many.

    An entry whose rows are already gone changes nothing, so replaying twice is harmless.
    """
    blobs = {t.name: b.blob for t, b in bindings(metadata)}
    done = 0
    for entry in journal.entries(since):
        with engine.begin() as conn:
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
