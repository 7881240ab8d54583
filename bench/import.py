"""Importing a 10,000-row customer CSV (SQLite), every row checked, beside a baseline.

Each row goes through the functions customer service uses (``alarmvern.customers``): a
holder, an account, a site, a contract, two panel users and an alarm contact, each checked
and audited, in a savepoint of its own, the whole file in one transaction.

The baseline, measured in the same run, is inserting the same rows' accounts, persons and
sites with plain bulk INSERTs (no checks, no audit): the ratio is what checking and auditing
each row costs. Run: python bench/import.py [ROWS]

Where the time went (cProfile, 300 rows): not in SQLite (about a tenth), but in SQLAlchemy
building each statement anew (``coercions.expect``, cache keys) for the ~37 statements of a
row, 12 of them the audit log's (read the chain's head, insert) for its 6 entries. Now the
hot statements are built once and given their values as parameters, the audit entries of
the file are chained in memory and written in one statement (``audit.batch``), and a site
and its account are read in one query: ~23 statements a row, each cheap.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from alarmvern.customers.importing import COLUMNS, import_customers
from alarmvern.store import migrate
from alarmvern.store import tables as t
from alarmvern.store.engine import create_store_engine
from alarmvern.vault import FolderBlobStore, MasterKey, Vault


def csv_text(rows: int) -> str:
    lines = [",".join(COLUMNS)]
    for i in range(rows):
        values = {
            "customer_no": f"K{i:06d}",
            "name": f"Kunde {i}",
            "email": f"k{i}@example.no",
            "phone": f"9{i:07d}",
            "street": f"Gate {i}",
            "postcode": "0155",
            "city": "Oslo",
            "started_at": "2020-01-01",
            "panel_account": f"P{i:06d}",
            "supervision_seconds": "3600",
            "product": "Boligalarm",
            "user_no": "2",
            "user_name": f"Bruker {i}",
            "user_phone": f"4{i:07d}",
            "contact_name": f"Kontakt {i}",
            "contact_phone": f"4{(i + 1):07d}",
            "contact_email": "",
            "contact_has_keys": "ja",
        }
        lines.append(",".join(values[c] for c in COLUMNS))
    return "\n".join(lines) + "\n"


def baseline(folder: Path, rows: int) -> tuple[float, float]:
    engine = create_store_engine(f"sqlite:///{folder / 'base.db'}")
    migrate.upgrade(engine)
    start = time.perf_counter()
    cpu = time.process_time()
    with engine.begin() as conn:
        conn.execute(insert(t.persons), [{"name": f"Kunde {i}"} for i in range(rows)])
        conn.execute(
            insert(t.customer_accounts),
            [
                {
                    "customer_no": f"K{i:06d}",
                    "kind": "private",
                    "holder_person_id": i + 1,
                    "started_at": datetime(2020, 1, 1, tzinfo=UTC),
                }
                for i in range(rows)
            ],
        )
        conn.execute(
            insert(t.sites),
            [{"account_id": i + 1, "street": f"Gate {i}", "postcode": "0155"} for i in range(rows)],
        )
    return time.perf_counter() - start, time.process_time() - cpu


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = create_store_engine(f"sqlite:///{folder / 'import.db'}")
        migrate.upgrade(engine)
        vault = Vault(MasterKey.generate(), FolderBlobStore(folder / "blobs"))
        text = csv_text(rows)
        start, cpu = time.perf_counter(), time.process_time()
        report = import_customers(engine, vault, io.StringIO(text), actor="bench")
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert report.committed and report.imported == rows, report.bad[:3]
        base, base_cpu = baseline(folder, rows)
    # CPU time beside wall time: on a shared, loaded machine it is the steadier figure.
    print(
        f"import of {rows} rows (every row checked, audited): {took:.1f} s "
        f"({rows / took:.0f} rows/s), CPU {cpu:.1f} s ({rows / cpu:.0f} rows per CPU-second)"
    )
    print(
        f"baseline, bulk INSERT of the accounts, persons and sites: {base:.2f} s "
        f"({rows / base:.0f} rows/s), CPU {base_cpu:.2f} s; the import takes "
        f"{took / base:.0f}x the baseline's time, {cpu / base_cpu:.0f}x its CPU"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
