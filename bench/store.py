"""Bulk insert of alarm events with durable commits: the store's write path vs the raw driver.

Both paths write the same rows into identical, freshly migrated tables, in batches, one
commit per batch (SQLite synchronous=FULL; PostgreSQL defaults). Raw: sqlite3 executemany,
psycopg COPY. Prints rows/s for both and the ratio (goal: store ≥ 70% of raw).

    .venv/bin/python bench/store.py [--rows 200000] [--batch 1000] [--pg URL]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from alarmvern.store import migrate
from alarmvern.store.engine import create_store_engine
from alarmvern.store.tables import alarm_events
from alarmvern.store.writes import insert_many
from scratch import scratch_databases

COLUMNS = [
    "panel_account",
    "protocol",
    "sequence",
    "code",
    "user_no",
    "method",
    "occurred_at",
    "received_at",
    "flagged",
]


def make_rows(n: int) -> list[dict[str, Any]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        {
            "panel_account": f"{i % 1000:06d}",
            "protocol": "SIA-DCS",
            "sequence": f"{i % 10000:04d}",
            "code": "CL" if i % 2 else "OP",
            "user_no": i % 8,
            "method": "keypad",
            "occurred_at": start + timedelta(seconds=i),
            "received_at": start + timedelta(seconds=i),
            "flagged": False,
        }
        for i in range(n)
    ]


def timed(run: Callable[[], None], rows: int) -> float:
    began = time.perf_counter()
    run()
    return rows / (time.perf_counter() - began)


def batches(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def bench_sqlite(rows: list[dict[str, Any]], size: int) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-"))
    store = create_store_engine(f"sqlite:///{folder / 'store.db'}")
    migrate.upgrade(store)
    raw_engine = create_store_engine(f"sqlite:///{folder / 'raw.db'}")
    migrate.upgrade(raw_engine)
    raw_engine.dispose()

    def store_path() -> None:
        for batch in batches(rows, size):
            with store.begin() as conn:
                insert_many(conn, alarm_events, batch)

    def raw_path() -> None:
        db = sqlite3.connect(folder / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO alarm_events ({', '.join(COLUMNS)}) VALUES ({marks})"
        for batch in batches(rows, size):
            db.execute("BEGIN")
            db.executemany(sql, [tuple(_sqlite_value(r[c]) for c in COLUMNS) for r in batch])
            db.execute("COMMIT")
        db.close()

    raw = timed(raw_path, len(rows))
    ours = timed(store_path, len(rows))
    store.dispose()
    return ours, raw


def _sqlite_value(value: Any) -> Any:
    # What SQLAlchemy stores for a DateTime on SQLite, so both tables hold the same text.
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


def bench_postgres(rows: list[dict[str, Any]], size: int, admin: str) -> tuple[float, float]:
    with scratch_databases(admin, "store") as databases:
        urls = [databases.create(), databases.create()]
        store = create_store_engine(urls[0])
        migrate.upgrade(store)
        raw_engine = create_store_engine(urls[1])
        migrate.upgrade(raw_engine)
        raw_engine.dispose()

        def store_path() -> None:
            for batch in batches(rows, size):
                with store.begin() as conn:
                    insert_many(conn, alarm_events, batch)

        def raw_path() -> None:
            with psycopg.connect(urls[1].replace("+psycopg", "")) as db:
                for batch in batches(rows, size):
                    with (
                        db.cursor() as cur,
                        cur.copy(f"COPY alarm_events ({', '.join(COLUMNS)}) FROM STDIN") as copy,
                    ):
                        for r in batch:
                            copy.write_row([r[c] for c in COLUMNS])
                    db.commit()

        raw = timed(raw_path, len(rows))
        ours = timed(store_path, len(rows))
        store.dispose()
        return ours, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    rows = make_rows(args.rows)
    print(f"{args.rows} alarm events, batches of {args.batch}, one durable commit per batch")
    results = {"sqlite": bench_sqlite(rows, args.batch)}
    try:
        results["postgresql"] = bench_postgres(rows, args.batch, args.pg)
    except psycopg.OperationalError as exc:
        print(f"postgresql: skipped, no server at {args.pg} ({type(exc).__name__})")
    for db, (ours, raw) in results.items():
        print(
            f"{db:<10} store {ours:>10,.0f} rows/s   raw driver {raw:>10,.0f} rows/s   "
            f"ratio {ours / raw:.0%}  (goal ≥ 70%)"
        )


if __name__ == "__main__":
    main()
