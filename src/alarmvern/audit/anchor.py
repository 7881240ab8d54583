"""The audit chain's anchor: its head, kept where the database cannot rewrite it.

Two things make the chain notice what a hash chain alone cannot (security review H2):

- **A key.** Each entry's hash is an HMAC-SHA256 under a key derived from the master key,
  which is not in the database: whoever can write the database but not read the key
  cannot append a forged entry, or edit one and re-chain everything after it.
- **An anchor.** After the entries commit, the head (the latest ``seq`` and hash) is
  appended, with an HMAC of its own, to ``anchor.jsonl``, a file outside the database that
  is only ever appended to. ``verify`` then refuses a chain that is shorter than the anchor,
  or does not pass through the anchored hash: the last entries, or every entry, deleted.

The file's first line records where the keyed chain starts (``keyed_from``): entries
before it were written by a version without keys and are checked as plain SHA-256.

An engine is *protected* (:func:`protect`) by whoever opens the system with the master
key; :func:`alarmvern.audit.append` then keys every entry written through it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from alarmvern.errors import AlarmvernError
from alarmvern.store.tables import audit_log

FILE = "anchor.jsonl"
KEY_PURPOSE = b"alarmvern/audit-chain/v1"


@dataclass(frozen=True)
class Protection:
    key: bytes
    path: Path


@dataclass(frozen=True)
class Anchor:
    """The latest head written to the anchor file, and where the keyed chain starts."""

    seq: int
    hash: str
    keyed_from: int


_protected: weakref.WeakKeyDictionary[Engine, Protection] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def protection_of(conn: Connection) -> Protection | None:
    with _lock:
        return _protected.get(conn.engine)


def _mac(key: bytes, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def _head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (int(row.seq), str(row.hash)) if row else (0, "")


def _write(protection: Protection, fields: dict[str, Any]) -> None:
    line = json.dumps(fields | {"mac": _mac(protection.key, fields)}, separators=(",", ":"))
    protection.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(protection.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def protect(engine: Engine, key: bytes, path: Path) -> None:
    """Key the entries written through ``engine`` and anchor its head in ``path``. The
    first time, the file starts with where the keyed chain begins."""
    protection = Protection(key, path)
    with _lock:
        _protected[engine] = protection
    if not path.exists():
        with engine.connect() as conn:
            seq, digest = _head(conn)
        # Entries a concurrent writer adds meanwhile are keyed already; those at or
        # before ``seq`` may be either.
        fields = {"seq": seq, "hash": digest, "keyed_from": seq + 1}
        _write(protection, fields | {"at": datetime.now(UTC).isoformat()})


def anchor(engine: Engine, head: tuple[int, str] | None = None) -> Anchor | None:
    """Append the committed head to the anchor file (if ``engine`` is protected).

    ``head`` is the ``(seq, hash)`` of an entry the caller knows is committed (the audit
    group writer's last); without it, the head is read from the database. Another process
    may have anchored a later head meanwhile: :func:`read` takes the highest, so an earlier
    one appended after it is harmless."""
    with _lock:
        protection = _protected.get(engine)
    if protection is None:
        return None
    if head is None:
        with engine.connect() as conn:
            head = _head(conn)
    seq, digest = head
    # Only the first line says where the keyed chain starts: read that one, not the whole
    # file (which grows by a line per group of entries, and was read on every group).
    start = _first(protection)
    keyed_from = start.keyed_from if start else seq + 1
    fields = {"seq": seq, "hash": digest, "keyed_from": keyed_from}
    _write(protection, fields | {"at": datetime.now(UTC).isoformat()})
    return Anchor(seq, digest, keyed_from)


class AnchorError(AlarmvernError):
    """The anchor file is missing where it must be, or was altered."""


def read(protection: Protection) -> Anchor | None:
    """The highest head in the anchor file, checked line by line; None if there is none."""
    try:
        text = protection.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    best: Anchor | None = None
    keyed_from: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        found = _line(protection, line, number)
        keyed_from = found.keyed_from if keyed_from is None else keyed_from
        if best is None or found.seq >= best.seq:
            best = Anchor(found.seq, found.hash, keyed_from)
    return best


def _first(protection: Protection) -> Anchor | None:
    """The file's first anchor, checked as :func:`read` checks every line; None if the
    file is missing or empty."""
    try:
        with protection.path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                if line.strip():
                    return _line(protection, line, number)
    except FileNotFoundError:
        return None
    return None


def _line(protection: Protection, line: str, number: int) -> Anchor:
    where = f"{protection.path}:{number}"
    try:
        fields = json.loads(line)
        mac = fields.pop("mac")
        good = hmac.compare_digest(mac, _mac(protection.key, fields))
        found = Anchor(int(fields["seq"]), str(fields["hash"]), int(fields["keyed_from"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AnchorError(
            f"{where}: ikke et anker for revisjonsloggen; legg tilbake filen",
            f"{where}: not an audit anchor; restore the file",
            code="anchor_damaged",
        ) from None
    if not good:
        raise AnchorError(
            f"{where}: ankeret er endret (HMAC-en stemmer ikke)",
            f"{where}: the anchor was altered (its HMAC does not match)",
            code="anchor_altered",
        )
    return found
