"""Access packages and erasures for 100 random customers, against raw SQL on the same rows.

Builds C customers (default 100,000) with E alarm events in all (default 20,000,000); the
100 sampled customers have 5,000 events each and 20 verification images with encrypted
blobs, the rest share the remaining events. Then, in a child process (for its peak RSS):

- access: ``alarmvern.rights.access_package.build`` (ZIP with data.json, report and media; no PDF)
  against a raw ``SELECT *`` of the same rows from every personal table;
- erasure: ``alarmvern.rights.erasure.erase`` against a raw ``DELETE`` of the same rows,
  the raw one on an identical copy of the store.

Prints p50 and p99 of each and their ratio. Goals: access p99 < 1 s and erasure p99 < 2 s,
each within 3x raw; peak RSS < 300 MB.

    .venv/bin/python bench/rights.py [--customers 100000] [--events 20000000] [--db both]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, text

from alarmvern import heap
from alarmvern.policy import load
from alarmvern.rights import access_package, erasure
from alarmvern.rights.scope import personal_tables, scope_of
from alarmvern.store import migrate
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine, reading
from alarmvern.store.writes import insert_many
from alarmvern.vault import FolderBlobStore, MasterKey, Vault
from scratch import checkpoint, load_batches, scratch_databases

SAMPLED = 100
PER_SAMPLED = 5000
IMAGES = 20
START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 50_000


def people(customers: int) -> Iterator[list[dict[str, Any]]]:
    for first in range(1, customers + 1, CHUNK):
        yield [
            {
                "id": i,
                "name": f"Kunde {i}",
                "email": f"k{i}@bench.test",
                "phone": f"+47{40000000 + i}",
            }
            for i in range(first, min(customers, first + CHUNK - 1) + 1)
        ]


def build(url: str, customers: int, events: int, sampled: list[int], blob_dir: Path) -> None:
    engine = create_store_engine(url)
    migrate.upgrade(engine)
    for rows in people(customers):
        with engine.begin() as conn:
            insert_many(conn, t.persons, rows)
            insert_many(conn, t.customer_accounts, [_account(r["id"]) for r in rows])
            insert_many(conn, t.sites, [_site(r["id"]) for r in rows])
    with engine.begin() as conn:
        insert_many(conn, t.contracts, [_contract(c) for c in sampled])
    chosen = set(sampled)
    others = [c for c in range(1, customers + 1) if c not in chosen]
    load_batches(engine, t.alarm_events, event_rows(events, sampled, others))
    vault = Vault(master_key(), FolderBlobStore(blob_dir))
    with engine.begin() as conn:
        for customer in sampled:
            _images(conn, vault, customer)
    checkpoint(engine)
    engine.dispose()


_KEY = MasterKey.generate()


def master_key() -> MasterKey:
    return _KEY


def _account(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "customer_no": f"K{i}",
        "kind": "private",
        "holder_person_id": i,
        "started_at": START - timedelta(days=400),
    }


def _site(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "account_id": i,
        "street": f"Gate {i}",
        "postcode": "0150",
        "panel_account": f"{i:06d}",
    }


def _contract(i: int) -> dict[str, Any]:
    return {
        "account_id": i,
        "person_id": i,
        "product": "Alarm",
        "signed_at": START,
        "ended_at": START + timedelta(days=200),
    }


def event_rows(total: int, sampled: list[int], others: list[int]) -> Iterator[list[dict[str, Any]]]:
    def event(customer: int, n: int) -> dict[str, Any]:
        at = START + timedelta(seconds=n * 37 % 25_000_000)
        return {
            "account_id": customer,
            "site_id": customer,
            "actor_person_id": customer,
            "panel_account": f"{customer:06d}",
            "protocol": "SIA-DCS",
            "code": "CL",
            "user_no": 1,
            "occurred_at": at,
            "received_at": at,
        }

    rows: list[dict[str, Any]] = []
    for customer in sampled:
        for n in range(PER_SAMPLED):
            rows.append(event(customer, n))
            if len(rows) == CHUNK:
                yield rows
                rows = []
    rest = total - len(sampled) * PER_SAMPLED
    for n in range(max(0, rest)):
        rows.append(event(others[n % len(others)], n))
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


def _images(conn: Connection, vault: Vault, customer: int) -> None:
    rows = []
    for n in range(IMAGES):
        blob_id = vault.new_blob_id()
        vault.put_blob(conn, f"account:{customer}", "media", blob_id, b"\xff\xd8 jpeg" * 2000)
        rows.append(
            {
                "account_id": customer,
                "site_id": customer,
                "kind": "image",
                "content_type": "image/jpeg",
                "size": 14000,
                "blob_id": blob_id,
                "captured_at": START + timedelta(hours=n),
            }
        )
    insert_many(conn, t.media, rows)


# Raw SQL over the same rows: what the database alone costs.


def _where(table: t.Table, binding: Any) -> str | None:  # type: ignore[name-defined]
    clauses = []
    if binding.subject:
        clauses.append(f"{binding.subject} = :p")
    if binding.account:
        clauses.append(f"{binding.account} = :a")
    return " OR ".join(clauses) or None


def raw_select(engine: Engine, customer: int) -> float:
    began = time.perf_counter()
    with engine.connect() as conn:
        for table, binding in personal_tables():
            where = _where(table, binding)
            if where:
                conn.execute(
                    text(f"SELECT * FROM {table.name} WHERE {where}"),
                    {"p": customer, "a": customer},
                ).fetchall()
    return time.perf_counter() - began


def raw_delete(engine: Engine, customer: int) -> float:
    began = time.perf_counter()
    with engine.begin() as conn:
        for table, binding in reversed(personal_tables()):
            where = _where(table, binding)
            if where:
                conn.execute(
                    text(f"DELETE FROM {table.name} WHERE {where}"), {"p": customer, "a": customer}
                )
    return time.perf_counter() - began


def child(url: str, raw_url: str, blob_dir: Path, sampled: list[int], key: str) -> None:
    engine, raw_engine = create_store_engine(url), create_store_engine(raw_url)
    vault = Vault(MasterKey.from_base64(key, "bench"), FolderBlobStore(blob_dir))
    policy = load("default")
    heap.keep_what_is_loaded()  # as a web process does once it serves (the DPO's erasures)
    out = Path(tempfile.mkdtemp(prefix="alarmvern-bench-access-"))
    figures: dict[str, list[float]] = {"access": [], "select": [], "erase": [], "delete": []}
    for customer in sampled:
        with engine.begin() as conn:
            scope = scope_of(conn, vault, customer)
        began = time.perf_counter()
        with reading(engine) as conn:
            package = access_package.build(conn, vault, policy, scope, out / "p.zip", pdf=False)
        figures["access"].append(time.perf_counter() - began)
        assert package.counts["alarm_events"] == PER_SAMPLED and package.media == IMAGES
        figures["select"].append(raw_select(engine, customer))
    for customer in sampled:
        began = time.perf_counter()
        with engine.begin() as conn:
            scope = scope_of(conn, vault, customer)
            erasure.erase(conn, vault, policy.policy, scope, actor="bench")
        figures["erase"].append(time.perf_counter() - began)
        figures["delete"].append(raw_delete(raw_engine, customer))
    shutil.rmtree(out, ignore_errors=True)
    print(json.dumps(figures))


def run_child(
    url: str, raw_url: str, blob_dir: Path, sampled: list[int]
) -> tuple[dict[str, list[float]], float]:
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            url,
            raw_url,
            str(blob_dir),
            ",".join(map(str, sampled)),
            master_key().encoded(),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return json.loads(result.stdout.strip().splitlines()[-1]), peak


def report(db: str, figures: dict[str, list[float]], peak: float) -> None:
    def p(values: list[float], q: float) -> float:
        return (
            statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
            if q < 100
            else max(values)
        )

    for ours, raw, goal in (("access", "select", 1.0), ("erase", "delete", 2.0)):
        a50, a99 = p(figures[ours], 50), p(figures[ours], 99)
        r50, r99 = p(figures[raw], 50), p(figures[raw], 99)
        print(
            f"{db:<10} {ours:<7} p50 {a50 * 1000:7.1f} ms  p99 {a99 * 1000:7.1f} ms"
            f" (goal < {goal:.0f} s)"
            f" | raw {raw} p50 {r50 * 1000:7.1f} ms  p99 {r99 * 1000:7.1f} ms"
            f" | ratio p50 {a50 / r50:4.1f}x  p99 {a99 / r99:4.1f}x (goal <= 3x)"
        )
    print(f"{db:<10} peak RSS of the child {peak:,.0f} MB (goal < 300 MB)")


def bench_sqlite(customers: int, events: int, sampled: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-rights-"))
    try:
        source = folder / "store.db"
        build(f"sqlite:///{source}", customers, events, sampled, folder / "blobs")
        shutil.copy(source, folder / "raw.db")
        figures, peak = run_child(
            f"sqlite:///{source}", f"sqlite:///{folder / 'raw.db'}", folder / "blobs", sampled
        )
        report("sqlite", figures, peak)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_postgres(customers: int, events: int, sampled: list[int], admin: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="alarmvern-bench-rights-"))
    try:
        with scratch_databases(admin, "rights") as databases:
            source = databases.create()
            build(source, customers, events, sampled, folder / "blobs")
            raw = databases.create(template=source)
            for url in (source, raw):
                with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
                    conn.execute("ANALYZE")
            figures, peak = run_child(source, raw, folder / "blobs", sampled)
            report("postgresql", figures, peak)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, raw_url, blob_dir, sampled, key = args.child
        child(url, raw_url, Path(blob_dir), [int(s) for s in sampled.split(",")], key)
        return
    sampled = sorted(random.Random(7).sample(range(1, args.customers + 1), SAMPLED))
    print(
        f"{args.customers:,} customers, {args.events:,} alarm events; {SAMPLED} sampled "
        f"customers with {PER_SAMPLED:,} events and {IMAGES} images each"
    )
    if args.db in {"sqlite", "both"}:
        bench_sqlite(args.customers, args.events, sampled)
    if args.db in {"postgresql", "both"}:
        bench_postgres(args.customers, args.events, sampled, args.pg)


if __name__ == "__main__":
    main()
