"""Commands on retention: the sweep, the forecast, and legal holds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from alarmvern.cli import app, settings_of
from alarmvern.errors import AlarmvernError
from alarmvern.retention import holds as legal_holds
from alarmvern.retention.forecast import forecast
from alarmvern.retention.sweep import sweep
from alarmvern.system import open_system

out = Console()
retention_app = typer.Typer(help="Sletting og anonymisering / retention.", no_args_is_help=True)
hold_app = typer.Typer(help="Rettslige sperrer / legal holds.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
app.add_typer(hold_app, name="hold")

Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _moment(as_of: str | None) -> datetime:
    if as_of is None:
        return datetime.now(UTC)
    try:
        return datetime.combine(date.fromisoformat(as_of), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise AlarmvernError(
            f"--as-of {as_of!r} er ikke en dato; skriv ÅÅÅÅ-MM-DD",
            f"--as-of {as_of!r} is not a date; write YYYY-MM-DD",
        ) from None


@retention_app.command("sweep")
def sweep_command(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, change nothing.")] = False,
    rule: Annotated[
        str | None, typer.Option("--rule", help="Only this unit, table, category or activity.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="With --dry-run: as if it were this date.")
    ] = None,
    as_json: Json = False,
) -> None:
    """Slett og anonymiser det som har forfalt / delete and anonymise what is due.

    Example: alarmvern retention sweep --dry-run --json
    """
    if as_of is not None and not dry_run:
        raise AlarmvernError(
            "--as-of kan bare forhåndsvise (med --dry-run): ingenting slettes før tiden",
            "--as-of may only preview (with --dry-run): nothing is swept early",
        )
    system = open_system(settings_of(ctx))
    try:
        if out.is_terminal and not as_json and not dry_run:
            with Progress(console=out, transient=True) as bar:
                task = bar.add_task("Sletter / sweeping", total=None)
                report = sweep(
                    system.engine,
                    system.policy.policy,
                    system.vault,
                    selector=rule,
                    exports=system.settings.exports_dir,
                    progress=lambda table, n: bar.update(task, advance=n, description=f"{table}"),
                )
        else:
            report = sweep(
                system.engine,
                system.policy.policy,
                system.vault,
                now=_moment(as_of),
                dry_run=dry_run,
                selector=rule,
                exports=system.settings.exports_dir,
            )
    finally:
        system.close()
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    title = "Ville slettet (tørrkjøring) / would sweep" if dry_run else "Slettet / swept"
    table = Table("enhet / unit", "handling / action", "rader / rows", title=title)
    for r in report.results:
        if r.rows:
            table.add_row(r.unit, r.action, str(r.rows))
    out.print(table)
    out.print(
        f"{report.rows} rader / rows; {report.blobs_deleted} blobs; "
        f"{report.subjects_shredded} nøkler makulert / keys shredded"
    )


@retention_app.command("forecast")
def forecast_command(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="How far ahead.")] = 90,
    as_json: Json = False,
) -> None:
    """Hva som forfaller når / what becomes due on which days, and what holds keep back.

    Example: alarmvern retention forecast --days 90
    """
    system = open_system(settings_of(ctx))
    try:
        with system.engine.connect() as conn:
            result = forecast(conn, system.policy.policy, days=days)
    finally:
        system.close()
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table(
        "enhet / unit",
        "nå / now",
        f"neste {days} dager / next {days} days",
        "sperret / held",
        title="Prognose / forecast",
    )
    for u in result.units:
        if u.total or u.held:
            first = ", ".join(f"{d}: {n}" for d, n in sorted(u.by_day.items())[:4])
            more = " …" if len(u.by_day) > 4 else ""
            table.add_row(u.unit, str(u.due_now), first + more, str(u.held))
    out.print(table)
    for h in result.holds:
        out.print(
            f"sperre / hold {h.hold} på {h.target} til {h.ends_on}: holder tilbake / "
            f"keeps back {h.keeps_back}"
        )
    if result.manual:
        out.print("uten beregnbar frist / no computable period: " + ", ".join(result.manual))


@hold_app.command("place")
def hold_place(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="incident, media, person or account")],
    target_id: Annotated[int, typer.Argument(help="Its id.")],
    reason: Annotated[str, typer.Option(help="E.g. the police case number.")],
    until: Annotated[str, typer.Option(help="End date, YYYY-MM-DD.")],
    by: Annotated[str, typer.Option(help="Who places it.")] = "dpo",
    override: Annotated[
        str | None, typer.Option(help="Legal reason to go past the policy's maximum (audited).")
    ] = None,
) -> None:
    """Sett en rettslig sperre / place a legal hold.

    Example: alarmvern hold place incident 42 --reason "Politisak 2026/123" --until 2026-12-01
    """
    try:
        ends_on = date.fromisoformat(until)
    except ValueError:
        raise AlarmvernError(
            f"--until {until!r} er ikke en dato; skriv ÅÅÅÅ-MM-DD",
            f"--until {until!r} is not a date; write YYYY-MM-DD",
        ) from None
    system = open_system(settings_of(ctx))
    try:
        with system.engine.begin() as conn:
            hold = legal_holds.place(
                conn,
                system.policy.policy,
                target=target,
                target_id=target_id,
                reason=reason,
                ends_on=ends_on,
                placed_by=by,
                override=override,
            )
    finally:
        system.close()
    out.print(f"sperre / hold {hold.id}: {hold.target} {hold.target_id} til / until {hold.ends_on}")


@hold_app.command("list")
def hold_list(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include released holds.")] = False,
    as_json: Json = False,
) -> None:
    """Vis sperrer / list legal holds."""
    system = open_system(settings_of(ctx))
    try:
        with system.engine.connect() as conn:
            found = legal_holds.list_holds(conn, include_released=all_)
    finally:
        system.close()
    if as_json:
        print(json.dumps([h.__dict__ for h in found], default=str, ensure_ascii=False, indent=2))
        return
    table = Table("id", "mål / target", "til / until", "grunn / reason", "status")
    for h in found:
        status = "aktiv / active" if h.active else "avsluttet / ended"
        table.add_row(str(h.id), f"{h.target} {h.target_id}", str(h.ends_on), h.reason, status)
    out.print(table)


@hold_app.command("release")
def hold_release(
    ctx: typer.Context,
    hold_id: Annotated[int, typer.Argument(help="The hold's id.")],
    by: Annotated[str, typer.Option(help="Who releases it.")] = "dpo",
) -> None:
    """Opphev en sperre / release a hold; its rows are swept at the next sweep if due."""
    system = open_system(settings_of(ctx))
    try:
        with system.engine.begin() as conn:
            hold = legal_holds.release(conn, hold_id, released_by=by)
    finally:
        system.close()
    out.print(f"sperre / hold {hold.id} opphevet / released")
