"""The audit chain notices what is missing (security review H2): the fifteen kinds of
tampering of the review's ``audit/tamper.py``, on SQLite and PostgreSQL.

The attacker may rewrite the database at will but holds neither the chain's key (derived
from the master key) nor write access to the anchor file. Recomputed hashes are what such
an attacker can compute: plain SHA-256 over the entry, as the unkeyed chain used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select

from alarmvern import audit
from alarmvern.audit.anchor import FILE
from alarmvern.audit.log import _digest
from alarmvern.store.tables import audit_log

Rows = list[dict[str, Any]]
ENTRIES = 30
MIDDLE = 15


def _rehash(row: dict[str, Any]) -> None:
    fields = ("seq", "at", "actor", "action", "subject", "purpose", "details", "prev_hash")
    row["hash"] = _digest(*(row[f] for f in fields))


def _rechain(rows: Rows, start: int) -> Rows:
    for i in range(start, len(rows)):
        if i:
            rows[i]["prev_hash"] = rows[i - 1]["hash"]
        _rehash(rows[i])
    return rows


def _edit(column: str, value: Any, at: int = MIDDLE - 1) -> Callable[[Rows], Rows]:
    def tamper(rows: Rows) -> Rows:
        rows[at][column] = value(rows[at][column]) if callable(value) else value
        return rows

    return tamper


def _edit_rehash_own(rows: Rows) -> Rows:
    rows[MIDDLE - 1]["details"] = '{"rows":0}'
    _rehash(rows[MIDDLE - 1])
    return rows


def _renumber(rows: Rows) -> Rows:
    del rows[MIDDLE - 1]
    for i, row in enumerate(rows, 1):
        row["seq"] = i
    return rows


def _swap(rows: Rows) -> Rows:
    a, b = rows[9], rows[10]
    for column in a:
        if column != "seq":
            a[column], b[column] = b[column], a[column]
    return rows


def _insert_middle(rows: Rows) -> Rows:
    forged = dict(rows[MIDDLE - 1], actor="mallory", details="{}")
    rows.insert(MIDDLE - 1, forged)
    for i, row in enumerate(rows, 1):
        row["seq"] = i
    return rows


def _append_forged(rows: Rows) -> Rows:
    last = rows[-1]
    forged = dict(last, seq=last["seq"] + 1, actor="mallory", prev_hash=last["hash"])
    forged["at"] = last["at"] + timedelta(seconds=1)
    _rehash(forged)
    return [*rows, forged]


def _rechain_after_edit(rows: Rows) -> Rows:
    rows[MIDDLE - 1]["actor"] = "mallory"
    return _rechain(rows, MIDDLE - 1)


TAMPERING: dict[str, Callable[[Rows], Rows]] = {
    "edit details of a middle entry": _edit("details", '{"rows":0}'),
    "edit actor of a middle entry": _edit("actor", "mallory"),
    "edit time of a middle entry": _edit("at", lambda at: at + timedelta(hours=1)),
    "edit the last entry": _edit("details", "{}", at=-1),
    "edit an entry and recompute its own hash": _edit_rehash_own,
    "delete the first entry": lambda rows: rows[1:],
    "delete a middle entry": lambda rows: rows[: MIDDLE - 1] + rows[MIDDLE:],
    "delete a middle entry and renumber": _renumber,
    "swap two entries": _swap,
    "insert an entry in the middle": _insert_middle,
    "delete the last entry": lambda rows: rows[:-1],
    "delete the last 10 entries": lambda rows: rows[:-10],
    "delete every entry": lambda rows: [],
    "append a forged entry with a correctly computed hash": _append_forged,
    "edit a middle entry and recompute the chain after it": _rechain_after_edit,
}


@pytest.fixture
def protected(engine: Engine, tmp_path: Path) -> Engine:
    audit.protect(engine, os.urandom(32), tmp_path / "audit" / FILE)
    for n in range(ENTRIES):
        with engine.begin() as conn:
            audit.append(conn, actor="staff", action="rights.access", details={"rows": n})
    audit.anchor(engine)
    return engine


def _rows(engine: Engine) -> Rows:
    with engine.connect() as conn:
        query = select(audit_log).order_by(audit_log.c.seq)
        return [dict(r._mapping) for r in conn.execute(query)]


def _rewrite(engine: Engine, rows: Rows) -> None:
    with engine.begin() as conn:
        conn.execute(delete(audit_log))
        if rows:
            conn.execute(audit_log.insert(), rows)


def _verify(engine: Engine) -> audit.Break | None:
    with engine.connect() as conn:
        return audit.verify(conn)[1]


def test_an_untouched_chain_verifies_also_past_its_anchor(protected: Engine) -> None:
    assert _verify(protected) is None
    with protected.begin() as conn:  # entries after the last anchor are fine
        audit.append(conn, actor="staff", action="rights.access")
    with protected.connect() as conn:
        assert audit.verify(conn) == (ENTRIES + 1, None)


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_every_kind_of_tampering_is_caught(protected: Engine, kind: str) -> None:
    rows = _rows(protected)
    assert len(rows) == ENTRIES
    _rewrite(protected, TAMPERING[kind](rows))
    assert _verify(protected) is not None, kind


def test_a_removed_or_altered_anchor_file_is_caught(protected: Engine, tmp_path: Path) -> None:
    path = tmp_path / "audit" / FILE
    lines = path.read_text().splitlines()
    last = json.loads(lines[-1])
    last["seq"] = 5
    path.write_text("\n".join([*lines[:-1], json.dumps(last)]) + "\n")
    broken = _verify(protected)
    assert broken is not None and "altered" in broken.problem
    path.unlink()
    broken = _verify(protected)
    assert broken is not None and "missing" in broken.problem


def test_a_chain_from_before_keys_verifies_and_is_keyed_from_then_on(
    engine: Engine, tmp_path: Path
) -> None:
    for _ in range(3):  # written by a version without keys
        with engine.begin() as conn:
            audit.append(conn, actor="system", action="system.init")
    audit.protect(engine, os.urandom(32), tmp_path / FILE)
    with engine.begin() as conn:
        audit.append(conn, actor="staff", action="rights.access")
    audit.anchor(engine)
    assert _verify(engine) is None
    rows = _rows(engine)
    _rewrite(engine, _append_forged(rows))
    assert _verify(engine) is not None
