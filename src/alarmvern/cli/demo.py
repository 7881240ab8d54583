"""``alarmvern demo``: a data folder filled with synthetic customers, and what it holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from alarmvern.cli import app, settings_of
from alarmvern.initialise import initialise
from alarmvern.outbox.wiring import inform_now
from alarmvern.store.summary import rows_per_category
from alarmvern.store.tables import customer_accounts
from alarmvern.system import open_system

# The demo's generator and live run (FastAPI, Faker, the simulator) are imported by the command
# that uses them: every other command would pay their import, about a second, at each start.

out = Console()


@app.command()
def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(help="Synthetic customers to add.")] = 300,
    leads: Annotated[int, typer.Option(help="Synthetic contact-form leads to add.")] = 50,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Run the system, with panels sending.")
    ] = True,
    port: Annotated[int, typer.Option(help="Web port.")] = 8000,
    dc09_port: Annotated[int, typer.Option("--dc09-port", help="SIA DC-09 port.")] = 9000,
    panels: Annotated[int, typer.Option(help="Simulated panels sending DC-09.")] = 50,
    rate: Annotated[float, typer.Option(help="Frames per second from all panels.")] = 5.0,
    seconds: Annotated[
        float | None, typer.Option("--for", help="Stop after this many seconds.")
    ] = None,
) -> None:
    """Demo: syntetiske kunder, alarmsentraler som sender, og nettsidene / the living system.

    Fills the data folder with synthetic customers (only if it has none), then runs the web,
    the DC-09 receiver and simulated panels sending encrypted DC-09 to it, until Ctrl-C.

    Example: alarmvern --data-dir demo-data demo
    """
    from alarmvern.demo import live
    from alarmvern.demo.synthetic import fill

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
            told = inform_now(system)  # art. 14(3): the contacts and users just registered
            out.print(f"Informerte / told {told} registrerte / registered people (outbox)")
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
    if serve:
        live.run(settings, live.Live(port, dc09_port, panels, rate, seconds))
