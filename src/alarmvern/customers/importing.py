"""Bringing customers in from another system: one CSV row per customer (see docs/import.md).

Every row is checked by the same functions customer service uses, each in a savepoint, so
one bad row is reported (line and column) and the rest are still checked. A dry run rolls
everything back; the real run writes only if no row is bad: on PostgreSQL the file in one
transaction, on SQLite in chunks of customers (see :func:`import_customers`). Customer
numbers already stored are skipped, so running a file twice changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select

from alarmvern import audit
from alarmvern.customers import accounts, contracts, sites
from alarmvern.customers.accounts import PersonIn
from alarmvern.customers.errors import InputError
from alarmvern.store.tables import customer_accounts
from alarmvern.vault import Vault

COLUMNS = (
    "customer_no",
    "name",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "started_at",
    "panel_account",
    "supervision_seconds",
    "product",
    "user_no",
    "user_name",
    "user_phone",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_has_keys",
)
REQUIRED = ("customer_no", "name", "street", "postcode")
CHUNK = 100  # rows (customers) per transaction of a real run on SQLite
MAX_BYTES = 32 * 1024 * 1024  # a file uploaded in the console (≈150,000 rows)
# Errors of a function name its own fields; the CSV column for each, where they differ.
COLUMN_OF = {"ended_at": "started_at", "priority": "contact_name"}


@dataclass(frozen=True)
class BadRow:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"linje/line {self.line}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    skipped: int = 0  # already stored (by customer number)
    bad: list[BadRow] = field(default_factory=list)
    committed: bool = False


def _row(c: Connection, vault: Vault, values: dict[str, str], actor: str) -> None:
    made = accounts.register_customer(
        c,
        actor=actor,
        customer_no=values["customer_no"],
        holder=PersonIn(
            values["name"],
            values.get("email"),
            values.get("phone"),
            values["street"],
            values["postcode"],
            values.get("city"),
        ),
        started_at=values.get("started_at") or None,
    )
    site = sites.add_site(
        c,
        vault,
        actor=actor,
        account_id=made.account_id,
        street=values["street"],
        postcode=values["postcode"],
        city=values.get("city"),
        panel_account=values.get("panel_account"),
        supervision_seconds=values.get("supervision_seconds") or None,
    )
    if values.get("product"):
        contracts.add_contract(
            c,
            actor=actor,
            account_id=made.account_id,
            product=values["product"],
            signed_at=values.get("started_at") or None,
        )
    sites.add_panel_user(c, actor=actor, site_id=site, user_no=1, person_id=made.person_id)
    if values.get("user_no"):
        sites.add_panel_user(
            c,
            actor=actor,
            site_id=site,
            user_no=values["user_no"],
            person=PersonIn(values.get("user_name"), phone=values.get("user_phone")),
        )
    if values.get("contact_name"):
        sites.add_contact(
            c,
            actor=actor,
            site_id=site,
            person=PersonIn(
                values["contact_name"], values.get("contact_email"), values.get("contact_phone")
            ),
            has_keys=values.get("contact_has_keys", "").strip().lower()
            in ("1", "ja", "yes", "true"),
        )


def lines_of(data: bytes) -> list[str]:
    """An uploaded file's lines: UTF-8 (with or without a byte-order mark), else an error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "file",
            f"filen er ikke UTF-8 (byte {exc.start}); lagre den som CSV UTF-8",
            f"the file is not UTF-8 (byte {exc.start}); save it as CSV UTF-8",
        ) from None
    return text.splitlines(keepends=True)


@dataclass
class _Seen:
    """What this pass has taken from the file so far: customer numbers and panel accounts
    (on SQLite the check runs chunk by chunk, each rolled back, so the database cannot
    see an earlier chunk's panel account: the file's own are remembered here)."""

    numbers: set[str] = field(default_factory=set)
    panels: set[str] = field(default_factory=set)


def _one(
    conn: Connection,
    vault: Vault,
    actor: str,
    values: dict[str, str | None],
    line: int,
    stored: set[str],
    seen: _Seen,
    report: ImportReport,
    trail: audit.Batch,
) -> None:
    """Check and write one row in a savepoint of its own; a bad row is reported."""
    number = (values.get("customer_no") or "").strip()
    if number in seen.numbers:
        twice = "kundenummeret står to ganger i filen / the customer number is twice in the file"
        report.bad.append(BadRow(line, "customer_no", twice))
        return
    if number in stored:
        report.skipped += 1
        return
    panel = (values.get("panel_account") or "").strip().upper()
    if panel and panel in seen.panels:
        twice = "panelkontoen står to ganger i filen / the panel account is twice in the file"
        report.bad.append(BadRow(line, "panel_account", twice))
        return
    savepoint, mark = conn.begin_nested(), trail.mark()
    try:
        _row(conn, vault, {k: (v or "") for k, v in values.items() if k}, actor)
    except InputError as exc:
        savepoint.rollback()
        trail.rewind(mark)
        column = COLUMN_OF.get(exc.field, exc.field)
        report.bad.append(BadRow(line, column, f"{exc.nb} / {exc.en}"))
        return
    savepoint.commit()
    seen.numbers.add(number)
    if panel:
        seen.panels.add(panel)
    report.imported += 1


Row = tuple[int, dict[str, str | None]]  # the line it starts on, its values


def _pass(
    engine: Engine,
    vault: Vault,
    actor: str,
    chunks: Iterable[list[Row]],
    report: ImportReport,
    *,
    write: bool,
    progress: Callable[[int], None] | None,
    each_row: bool,
) -> None:
    """One pass over the rows, one transaction per chunk: rolled back when checking (or at
    a bad row), else committed. Progress is told per row if ``each_row``, else per
    committed chunk (so that a caller's callback runs with no write lock held)."""
    seen = _Seen()
    for rows in chunks:
        with engine.connect() as conn:
            transaction = conn.begin()
            stored = set(conn.execute(select(customer_accounts.c.customer_no)).scalars())
            bad = len(report.bad)
            # A chunk's audit entries are written in one statement at its end; a bad row's
            # savepoint takes its entries back with its changes.
            with audit.batch(conn) as trail:
                for line, values in rows:
                    _one(conn, vault, actor, values, line, stored, seen, report, trail)
                    if progress and each_row:
                        progress(1)
            if write and len(report.bad) == bad:
                transaction.commit()
            else:
                transaction.rollback()
        if write and len(report.bad) > bad:
            return  # the row went bad since the check: the chunks before it stay
        if progress and not each_row:
            progress(len(rows))


def passes(engine: Engine, dry_run: bool) -> int:
    """How many times ``progress`` counts each row: twice for a real run on SQLite (checked,
    then written in chunks), once otherwise."""
    return 2 if engine.dialect.name == "sqlite" and not dry_run else 1


def import_customers(
    engine: Engine,
    vault: Vault,
    lines: Iterable[str],
    *,
    actor: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
) -> ImportReport:
    """Check (and unless ``dry_run``, import) the CSV in ``lines``.

    Every row is checked first, and nothing is written if one is bad. Then PostgreSQL
    writes the file in one transaction (its row locks hold up no alarm); SQLite, whose one
    write lock alarm intake shares, writes it ``chunk`` rows (customers) per transaction,
    so intake waits for one chunk at most. A run killed half-way leaves whole customers
    only, and the same file run again skips them (idempotent by customer number).
    """
    report = ImportReport()
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        report.bad.append(BadRow(1, ", ".join(missing), "kolonnen mangler / the column is missing"))
        return report
    if engine.dialect.name != "sqlite":
        whole = [[(reader.line_num, values) for values in reader]]
        report.rows = len(whole[0])
        _pass(
            engine, vault, actor, whole, report, write=not dry_run, progress=progress, each_row=True
        )
        report.committed = not dry_run and not report.bad
        return report
    rows: list[Row] = [(reader.line_num, values) for values in reader]
    report.rows = len(rows)
    chunks = [rows[i : i + chunk] for i in range(0, len(rows), chunk)]
    _pass(engine, vault, actor, chunks, report, write=False, progress=progress, each_row=True)
    if dry_run or report.bad:
        return report
    report.imported = report.skipped = 0  # counted again as written
    _pass(engine, vault, actor, chunks, report, write=True, progress=progress, each_row=False)
    report.committed = not report.bad
    return report
