"""Commands on the store: init, check, audit, summary; and :func:`opened`, :func:`reading`
and :func:`writing`, the one way a command opens the system, reads or writes, and closes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from alarmvern import audit
from alarmvern.cli import app, settings_of
from alarmvern.initialise import initialise
from alarmvern.store import summary as store_summary
from alarmvern.system import System, open_system

out = Console()


@contextmanager
def opened(ctx: typer.Context) -> Iterator[System]:
    """The system, opened (and checked) from the command's settings, closed at the end."""
    system = open_system(settings_of(ctx))
    try:
        yield system
    finally:
        system.close()


@contextmanager
def reading(ctx: typer.Context) -> Iterator[tuple[System, Connection]]:
    """The system and a connection for reading."""
    with opened(ctx) as system, system.engine.connect() as conn:
        yield system, conn


@contextmanager
def writing(ctx: typer.Context) -> Iterator[tuple[System, Connection]]:
    """The system and a transaction, committed if the block ends without an error."""
    with opened(ctx) as system, system.engine.begin() as conn:
        yield system, conn


audit_app = typer.Typer(help="Revisjonsloggen / the audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def init(ctx: typer.Context) -> None:
    """Opprett datamappe, hovednøkkel og database / create what is missing.

    Example: alarmvern --data-dir ./data init
    """
    made = initialise(settings_of(ctx))
    if not made:
        out.print("Alt finnes allerede / everything already exists; nothing was changed.")
    for item in made:
        out.print(f"opprettet / made: {item}", markup=False)


@app.command()
def check(ctx: typer.Context) -> None:
    """Sjekk datakartet mot policyen / check the data map against the policy.

    Fails (exit 2), naming table and category, when the store holds a category that no
    processing activity or no retention rule covers. Example: alarmvern check
    """
    with opened(ctx) as system:
        for warning in system.warnings:
            out.print(f"advarsel / warning: {warning}", markup=False)
        out.print(f"OK: datakartet er dekket av {system.policy.name} / the data map is covered")


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Kontroller hash-kjeden / verify the hash chain; exit 1 at the first broken entry.

    The chain is keyed (HMAC under a key derived from the master key) and compared with its
    anchor (audit/anchor.jsonl in the data dir): entries deleted at the end, all entries
    deleted, a forged entry appended or a chain recomputed after an edit are all caught.

    Example: alarmvern audit verify
    """
    system = open_system(settings_of(ctx), strict=False)
    try:
        with system.engine.connect() as conn:
            count, broken = audit.verify(conn)
        if broken is None:
            audit.anchor(system.engine)  # what was just verified is the head to keep
    finally:
        system.close()
    if broken is not None:
        out.print(f"BRUTT / BROKEN at entry {broken.seq}: {broken.problem}", markup=False)
        raise typer.Exit(1)
    out.print(f"OK: {count} entries, chain intact")


@app.command()
def summary(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Hva som er lagret per kategori / what is stored, per category and table."""
    with reading(ctx) as (_, conn):
        counts = store_summary.rows_per_category(conn)
    if as_json:
        out.print_json(json.dumps([c.__dict__ for c in counts]))
        return
    table = Table("kategori / category", "tabell / table", "rader / rows", title="Lagret data")
    for c in counts:
        table.add_row(c.category, c.table, f"{c.rows:,}".replace(",", " "))
    out.print(table)
