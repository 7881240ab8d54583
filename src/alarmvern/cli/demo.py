"""``alarmvern demo``: a data folder filled with synthetic customers, and what it holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from alarmvern.cli import app, settings_of
from alarmvern.demo.synthetic import fill
from alarmvern.initialise import initialise
from alarmvern.store.summary import rows_per_category
from alarmvern.store.tables import customer_accounts
from alarmvern.system import open_system

out = Console()


@app.command()
def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(help="Synthetic customers to add.")] = 300,
    leads: Annotated[int, typer.Option(help="Synthetic contact-form leads to add.")] = 50,
) -> None:
    """Fyll en datamappe med syntetiske kunder / fill a data folder with synthetic customers.

    Customers are added only to a store that has none, so running it twice changes nothing.

    Example: alarmvern --data-dir demo-data demo --customers 300
    """
    settings = settings_of(ctx)
    for item in initialise(settings):
        out.print(f"opprettet / made: {item}", markup=False)
    system = open_system(settings)
    try:
        with system.engine.connect() as conn:
            already = conn.execute(select(func.count()).select_from(customer_accounts)).scalar()
        if already:
            out.print(f"{already} kunder finnes allerede / customers already there; none added.")
        else:
            version = system.policy.policy.version
            filled = fill(
                system.engine.begin, system.vault, customers, leads, notice_version=version
            )
            out.print(
                f"La til {filled.customers} syntetiske kunder / added {filled.customers} "
                f"synthetic customers ({sum(filled.counts.values())} rows) "
                f"under policy {system.policy.name} {system.policy.policy.version}"
            )
        with system.engine.connect() as conn:
            counts = rows_per_category(conn)
    finally:
        system.close()
    table = Table(
        "kategori / category", "tabell / table", "rader / rows", title="Lagret per kategori"
    )
    for c in counts:
        if c.rows:
            table.add_row(c.category, c.table, str(c.rows))
    out.print(table)
    out.print(f"Data: {settings.data_dir.resolve()}")
