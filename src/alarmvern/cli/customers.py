"""Customer service from the command line: find, end, tell people, and import a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from alarmvern.cli import app, settings_of
from alarmvern.customers import accounts, logins, search
from alarmvern.customers.importing import import_customers, passes
from alarmvern.errors import AlarmvernError
from alarmvern.outbox.wiring import inform_now, outbox_of
from alarmvern.system import open_system

out = Console()
ACTOR = "cli"
customer_app = typer.Typer(help="Kunder / customers.", no_args_is_help=True)
import_app = typer.Typer(help="Importer / bring data in.", no_args_is_help=True)
app.add_typer(customer_app, name="customer")
app.add_typer(import_app, name="import")


@customer_app.command("find")
def find(ctx: typer.Context, query: str) -> None:
    """Finn en kunde / find a customer by name, phone, e-mail, number or address.

    Example: alarmvern customer find "Storgata 1"
    """
    system = open_system(settings_of(ctx))
    for h in search.find(system.engine, actor=ACTOR, query=query).hits:
        out.print(
            f"{h.account_id}\t{h.customer_no}\t{h.name or ''}" + ("\t(ended)" if h.ended else ""),
            markup=False,
        )


@customer_app.command("end")
def end(ctx: typer.Context, account_id: int, on: Annotated[str, typer.Option("--on")]) -> None:
    """Avslutt kundeforholdet / end a customer relationship on a date.

    Example: alarmvern customer end 17 --on 2026-12-31
    """
    system = open_system(settings_of(ctx))
    with system.engine.begin() as conn:
        ended = accounts.end_relationship(conn, actor=ACTOR, account_id=account_id, at=on)
    out.print(f"avsluttet / ended: {ended.date().isoformat()}")


@customer_app.command("invite")
def invite(ctx: typer.Context, account_id: int) -> None:
    """Send aktiveringslenke / e-mail the holder a link to choose a password (first login).

    Example: alarmvern customer invite 17
    """
    system = open_system(settings_of(ctx))
    with system.engine.begin() as conn:
        link = logins.invite(conn, actor=ACTOR, account_id=account_id)
    sent = logins.send_link(
        system.engine, system.vault, system.policy.policy, outbox_of(system), link
    )
    if not sent:
        raise AlarmvernError(
            "e-posten kunne ikke sendes; se ALARMVERN_SMTP_*",
            "the e-mail could not be sent; check ALARMVERN_SMTP_*",
        )
    out.print(f"sendt / sent: innlogging / login {link.login_id}, gyldig til / valid until "
              f"{link.expires_at:%Y-%m-%d %H:%M} UTC")  # fmt: skip


@customer_app.command("inform")
def inform(ctx: typer.Context) -> None:
    """Send beskjed til dem som er registrert av andre / tell people registered by others.

    Example: alarmvern customer inform
    """
    sent = inform_now(open_system(settings_of(ctx)))
    out.print(f"sendt / sent: {sent}")


@import_app.command("customers")
def customers(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only; change nothing.")] = False,
) -> None:
    """Importer kunder fra CSV / import customers (columns in docs/import.md).

    Example: alarmvern import customers kunder.csv --dry-run
    """
    system = open_system(settings_of(ctx))
    with file.open(encoding="utf-8-sig", newline="") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=out) as bar,
        file.open(encoding="utf-8-sig", newline="") as handle,
    ):
        task = bar.add_task(
            "kontrollerer / checking"
            if dry_run
            else "kontrollerer og importerer / checking, importing",
            total=total * passes(system.engine, dry_run),
        )
        report = import_customers(
            system.engine,
            system.vault,
            handle,
            actor=ACTOR,
            dry_run=dry_run,
            progress=lambda n: bar.advance(task, n),
        )
    for bad in report.bad:
        out.print(str(bad), markup=False)
    out.print(
        f"rader / rows: {report.rows}, nye / new: {report.imported}, "
        f"fantes / already stored: {report.skipped}, feil / bad: {len(report.bad)}"
    )
    if report.bad and report.imported:  # a row went bad after the check (SQLite's chunks)
        raise AlarmvernError(
            f"{len(report.bad)} feil; {report.imported} kunder før feilen er lagret, kjør filen "
            f"på nytt når feilen er rettet",
            f"errors; {report.imported} customers before it "
            "are stored, run the file again once it is fixed",
        )
    if report.bad:
        raise AlarmvernError(
            f"{len(report.bad)} feil; ingenting er endret", "errors; nothing was changed"
        )
    out.print(
        "lagret / committed"
        if report.committed
        else "tørrkjøring: ingenting endret / dry run: nothing changed"
    )
