"""Commands on the store: init, check, audit, summary."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alarmvern import audit
from alarmvern.cli import app, settings_of
from alarmvern.initialise import initialise
from alarmvern.store import summary as store_summary
from alarmvern.system import open_system

out = Console()
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
    system = open_system(settings_of(ctx))
    try:
        for warning in system.warnings:
            out.print(f"advarsel / warning: {warning}", markup=False)
        out.print(f"OK: datakartet er dekket av {system.policy.name} / the data map is covered")
    finally:
        system.close()


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
    system = open_system(settings_of(ctx))
    try:
        with system.engine.connect() as conn:
            counts = store_summary.rows_per_category(conn)
    finally:
        system.close()
    if as_json:
        out.print_json(json.dumps([c.__dict__ for c in counts]))
        return
    table = Table("kategori / category", "tabell / table", "rader / rows", title="Lagret data")
    for c in counts:
        table.add_row(c.category, c.table, f"{c.rows:,}".replace(",", " "))
    out.print(table)
