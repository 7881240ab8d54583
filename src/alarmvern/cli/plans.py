"""Commands on action plans (instrukser): what the operator does at a site, per alarm kind."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from alarmvern.cli import app, settings_of
from alarmvern.intake import action_plans
from alarmvern.store.engine import reading
from alarmvern.system import open_system

out = Console()
plan_app = typer.Typer(help="Instrukser / action plans.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")


@plan_app.command("set")
def set_command(
    ctx: typer.Context,
    site: Annotated[int, typer.Option("--site", help="The site's number.")],
    kind: Annotated[str, typer.Option("--kind", help=", ".join(action_plans.KINDS))],
    step: Annotated[
        list[str],
        typer.Option("--step", help="action[:minutes][:note], in order; repeat for each step."),
    ],
    by: Annotated[str, typer.Option("--by", help="Who sets it (audited).")] = "cli",
) -> None:
    """Sett anleggets instruks for en alarmtype / set a site's plan for an alarm kind.

    Example: alarmvern plan set --site 3 --kind burglary --step check_images
    --step call_contacts --step call_police:5 --step "note:Nøkkel i nøkkelboksen"
    """
    system = open_system(settings_of(ctx))
    try:
        with system.engine.begin() as conn:
            plan = action_plans.set_plan(conn, site_id=site, kind=kind, steps=step, actor=by)
    finally:
        system.close()
    _print(plan)


@plan_app.command("show")
def show_command(
    ctx: typer.Context,
    site: Annotated[int, typer.Option("--site", help="The site's number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Vis anleggets instrukser / show a site's plans (its own, or the standard ones)."""
    system = open_system(settings_of(ctx))
    try:
        with reading(system.engine) as conn:
            plans = action_plans.plans_of(conn, site)
    finally:
        system.close()
    if as_json:
        rows = [
            {"kind": p.kind, "standard": p.standard, "steps": [s.as_json() for s in p.steps]}
            for p in plans
        ]
        out.print_json(json.dumps(rows))
        return
    for plan in plans:
        _print(plan)


def _print(plan: action_plans.Plan) -> None:
    nb, en = action_plans.KINDS[plan.kind]
    mark = " (standardinstruks / standard plan)" if plan.standard else ""
    out.print(f"[bold]{nb} / {en}[/bold]{mark}")
    for number, step in enumerate(plan.steps, start=1):
        out.print(f"  {number}. {step.words('nb')} / {step.words('en')}")
