"""The retention sweep against a raw DELETE of the same rows, on identical copies of one store.

Builds N alarm events (default 10,000,000) of which D (default 1,000,000) are due under a
one-rule policy (events kept 180 days after capture), with a legal hold on one customer
account whose due events must survive. Then, on identical copies:

- raw: one ``DELETE FROM alarm_events WHERE occurred_at <= cutoff AND account not held``;
- sweep: ``alarmvern.retention.sweep`` (batches, holds, audit), row by row;
- on PostgreSQL also: the sweep with the partition drop.

Prints rows/s of each, the ratio to the raw DELETE, and the sweep's peak RSS (measured in a
child process that runs only the sweep). Goals: row sweep ≥ 50% of raw; partition drop
faster than raw; peak RSS < 300 MB.

    .venv/bin/python bench/retention.py [--rows 10000000] [--due 1000000] [--db both]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from alarmvern.policy import loads
from alarmvern.retention import holds
from alarmvern.retention.sweep import sweep
from alarmvern.store import migrate
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from scratch import checkpoint, load_batches, scratch_databases

POLICY = """\
version: bench
date: 2026-01-01
controller: {name: Bench Alarm AS, org_no: "999999999", email: post@bench.example}
subjects: {customer: {name: {nb: Kunde, en: Customer}}}
categories: {user.alarm.event: {name: {nb: Alarmlogg, en: Alarm log}}}
activities:
  - id: alarm-log
    name: {nb: Alarmlogg, en: Alarm log}
    purpose: {nb: Logg, en: Log}
    legal_basis: contract
    subjects: [customer]
    categories: [user.alarm.event]
    retention: {user.alarm.event: {keep: 180d, from: captured, then: delete}}
"""
NOW = datetime(2026, 11, 1, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=180)  # 2026-05-05
ACCOUNTS = 100
HELD_ACCOUNT = 1


def event_rows(total: int, due: int, chunk: int) -> Iterator[list[dict[str, Any]]]:
    """Due rows spread over the month before the cutoff's month start, the rest after it."""
    due_start = datetime(2026, 4, 1, tzinfo=UTC)
    due_span = (CUTOFF - timedelta(days=4)) - due_start  # all due, in April and early May
    live_start = CUTOFF + timedelta(days=1)
    live_span = NOW - live_start
    rows: list[dict[str, Any]] = []
    for i in range(total):
        if i < due:
            at = due_start + due_span * (i / due)
        else:
            at = live_start + live_span * ((i - due) / max(1, total - due))
        rows.append(
            {
                "account_id": 1 + i % ACCOUNTS,
                "panel_account": f"{i % ACCOUNTS:06d}",
                "protocol": "SIA-DCS",
                "code": "CL" if i % 2 else "OP",
                "user_no": i % 8,
                "occurred_at": at,
                "received_at": at,
                "flagged": False,
            }
        )
        if len(rows) == chunk:
            yield rows
            rows = []
    if rows:
        yield rows


def build(url: str, total: int, due: int) -> None:
    engine = create_store_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        for n in range(1, ACCOUNTS + 1):
            person = conn.execute(t.persons.insert().values(name=f"P{n}")).inserted_primary_key
            conn.execute(
                t.customer_accounts.insert().values(
                    id=n,
                    customer_no=f"K{n}",
                    kind="private",
                    holder_person_id=person[0] if person else None,
                    started_at=datetime(2020, 1, 1, tzinfo=UTC),
                )
            )
        holds.place(
            conn,
            loads(POLICY).policy,
            target="account",
            target_id=HELD_ACCOUNT,
            reason="bench hold",
            ends_on=date(2027, 1, 1),
            placed_by="bench",
            now=NOW,
        )
    load_batches(engine, t.alarm_events, event_rows(total, due, 50_000))
    checkpoint(engine)
    engine.dispose()


def analyse(url: str) -> None:
    """PostgreSQL: gather the planner's statistics, as autovacuum would in time, so that
    the raw DELETE and the sweep are both planned on analysed tables."""
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("ANALYZE")


def raw_delete(url: str) -> tuple[int, float]:
    engine = create_store_engine(url)
    began = time.perf_counter()
    with engine.begin() as conn:
        deleted = conn.execute(
            text("DELETE FROM alarm_events WHERE occurred_at <= :cutoff AND account_id <> :held"),
            {"cutoff": _db_time(engine.dialect.name, CUTOFF), "held": HELD_ACCOUNT},
        ).rowcount
    seconds = time.perf_counter() - began
    engine.dispose()
    return deleted, seconds


def _db_time(dialect: str, at: datetime) -> Any:
    # On SQLite the store keeps times as text; compare like with like.
    return at.replace(tzinfo=None).isoformat(sep=" ") if dialect == "sqlite" else at


def sweep_in_child(url: str, partitions: bool, blob_dir: Path) -> tuple[int, float, float]:
    """Run the sweep in a child process; return rows, seconds and the child's peak RSS (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(
        [sys.executable, __file__, "--child-sweep", url, "--blob-dir", str(blob_dir)]
        + ([] if partitions else ["--no-partitions"]),
        capture_output=True,
        text=True,
        check=True,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures["rows"], figures["seconds"], max(peak, before) / 1024


def child_sweep(url: str, blob_dir: Path, partitions: bool) -> None:
    engine = create_store_engine(url)
    vault = Vault(MasterKey.generate(), FolderBlobStore(blob_dir))
    policy = loads(POLICY).policy  # read before the clock starts: the raw DELETE reads none
    began = time.perf_counter()
    report = sweep(engine, policy, vault, now=NOW, use_partitions=partitions)
    seconds = time.perf_counter() - began
    print(json.dumps({"rows": report.rows, "seconds": seconds}))


def bench_sqlite(total: int, due: int) -> list[tuple[str, int, float, float | None]]:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-retention-"))
    try:
        source = folder / "store.db"
        build(f"sqlite:///{source}", total, due)
        shutil.copy(source, folder / "raw.db")
        raw_rows, raw_s = raw_delete(f"sqlite:///{folder / 'raw.db'}")
        rows, seconds, rss = sweep_in_child(f"sqlite:///{source}", False, folder / "blobs")
        return [("raw DELETE", raw_rows, raw_s, None), ("sweep", rows, seconds, rss)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_postgres(total: int, due: int, admin: str) -> list[tuple[str, int, float, float | None]]:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-retention-"))
    try:
        with scratch_databases(admin, "retention") as databases:
            source = databases.create()
            build(source, total, due)
            analyse(source)  # the copies below inherit its statistics: both sides planned alike
            raw, drop = databases.create(template=source), databases.create(template=source)
            raw_rows, raw_s = raw_delete(raw)
            rows, seconds, rss = sweep_in_child(source, False, folder / "blobs")
            d_rows, d_seconds, d_rss = sweep_in_child(drop, True, folder / "blobs")
        return [
            ("raw DELETE", raw_rows, raw_s, None),
            ("sweep, row by row", rows, seconds, rss),
            ("sweep, partition drop", d_rows, d_seconds, d_rss),
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(db: str, results: list[tuple[str, int, float, float | None]]) -> None:
    raw_rate = results[0][1] / results[0][2]
    for label, rows, seconds, rss in results:
        rate = rows / seconds
        memory = f"   peak RSS {rss:,.0f} MB" if rss is not None else ""
        print(
            f"{db:<10} {label:<24} {rows:>10,} rows in {seconds:7.1f} s = {rate:>10,.0f} rows/s"
            f"   {rate / raw_rate:5.0%} of raw{memory}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--due", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child-sweep", help=argparse.SUPPRESS)
    parser.add_argument("--blob-dir", help=argparse.SUPPRESS)
    parser.add_argument("--no-partitions", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_sweep:
        child_sweep(args.child_sweep, Path(args.blob_dir), not args.no_partitions)
        return
    print(f"{args.rows:,} alarm events, {args.due:,} due, 1% of them under a legal hold")
    if args.db in {"sqlite", "both"}:
        report("sqlite", bench_sqlite(args.rows, args.due))
    if args.db in {"postgresql", "both"}:
        report("postgresql", bench_postgres(args.rows, args.due, args.pg))


if __name__ == "__main__":
    main()
