"""Commands on the policy: the notice, the linter, the record of processing, the diff."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from alarmvern import policy_history, policy_staging, policy_telling
from alarmvern.cli import app, settings_of
from alarmvern.outbox.wiring import outbox_of
from alarmvern.policy import load, pack_names
from alarmvern.policy.diff import diff as policy_diff
from alarmvern.policy.lint import lint
from alarmvern.policy.notice import render_notice
from alarmvern.policy.ropa import render_ropa
from alarmvern.store.check import tables_by_category
from alarmvern.store.engine import reading
from alarmvern.system import SYSTEM_ACTOR, open_system

out = Console()
policy_app = typer.Typer(help="Policyen / the policy.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")

Pack = Annotated[str, typer.Argument(help="A pack name (e.g. atlo) or a policy YAML file.")]
Lang = Annotated[Literal["nb", "en"], typer.Option("--lang", help="nb (bokmål) or en.")]


@app.command()
def notice(
    pack: Pack,
    lang: Lang = "nb",
    fmt: Annotated[Literal["md", "html"], typer.Option("--format")] = "md",
) -> None:
    """Skriv ut personvernerklæringen / print the privacy notice.

    Example: alarmvern notice default --lang nb --format html > personvern.html
    """
    print(render_notice(load(pack).policy, lang, fmt))


@policy_app.command("list")
def list_packs() -> None:
    """De innebygde pakkene / the built-in packs."""
    for name in pack_names():
        print(name)


@policy_app.command("lint")
def lint_command(
    pack: Pack,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    lang: Lang = "nb",
) -> None:
    """Finn mangler i policyen / list the policy's defects; exit 1 if any is an error.

    Example: alarmvern policy lint atlo
    """
    loaded = load(pack)
    findings = lint(loaded)
    if as_json:
        print(json.dumps([f.__dict__ for f in findings], ensure_ascii=False, indent=2))
    else:
        table = Table("alvor", "artikkel", "sted", "funn", title=f"{loaded.name}: {len(findings)}")
        for f in findings:
            place = f"{f.path} (linje {f.line})" if f.line else f.path
            message = f.message_nb if lang == "nb" else f.message_en
            if f.quote:
                message += f"\n[dim]«{f.quote}»[/dim]"
            table.add_row(f.severity, f.article, place, message)
        out.print(table)
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)


@policy_app.command("ropa")
def ropa_command(
    pack: Pack,
    fmt: Annotated[Literal["md", "csv"], typer.Option("--format")] = "md",
    lang: Lang = "nb",
    part: Annotated[
        Literal["controller", "processor"],
        typer.Option(help="controller (art. 30(1)) or processor (art. 30(2))."),
    ] = "controller",
) -> None:
    """Protokoll over behandlingsaktiviteter (art. 30) / the record of processing.

    Example: alarmvern policy ropa default --format csv > protokoll.csv
    """
    print(render_ropa(load(pack).policy, fmt, tables_by_category(), lang, part))


@policy_app.command("diff")
def diff_command(old: Pack, new: Pack, lang: Lang = "nb") -> None:
    """Hva endret seg, og er det vesentlig? / what changed, and is it material?

    Exit 1 when a change is material: customers must be told before it takes effect.
    Example: alarmvern policy diff old.yaml new.yaml
    """
    result = policy_diff(load(old).policy, load(new).policy)
    for change in result.changes:
        mark = "VESENTLIG / MATERIAL" if change.material else "endring / change"
        message = change.message_nb if lang == "nb" else change.message_en
        out.print(f"{mark}: {change.path}: {message}", markup=False)
    if not result.changes:
        out.print("Ingen endringer / no changes.")
    if result.material:
        raise typer.Exit(1)


@policy_app.command("versions")
def versions_command(ctx: typer.Context, lang: Lang = "nb") -> None:
    """Policyversjonene systemet har kjørt på / the versions the store has run on.

    Newest first, each with its changes from the one before; a material change is marked,
    with the number of customers to tell. Example: alarmvern policy versions
    """
    system = open_system(settings_of(ctx))
    try:
        with reading(system.engine) as conn:
            versions = policy_history.history(conn)
            to_tell = len(policy_history.accounts_to_tell(conn))
        in_force, today = system.policy.sha256, policy_staging.today()
    finally:
        system.close()
    table = Table("id", "versjon", "tatt i bruk", "endringer", title="Policyversjoner / versions")
    for v in versions:
        if v.unreadable:
            changes = "kan ikke leses / unreadable"
        elif v.changes is None:
            changes = "første versjon / first version"
        else:
            lines = [c.message_nb if lang == "nb" else c.message_en for c in v.changes.changes]
            changes = "\n".join(lines) or "ingen / none"
            if v.material:
                changes = f"VESENTLIG / MATERIAL: {to_tell} kunder å varsle\n{changes}"
        state = policy_staging.state(v.policy_date, v.sha256, in_force, today)
        nb, en = policy_staging.state_words(state, v.policy_date)
        status = f"{nb} / {en.split(' ')[0]}" if state == "coming" else f"{nb} / {en}"
        applied = v.applied_at.isoformat(" ", timespec="seconds")
        table.add_row(str(v.id), f"{v.name} {v.version}\n{status}", applied, changes)
    # Into a file or a pipe: wide enough that a version's status stays on one line.
    (out if out.is_terminal else Console(width=132)).print(table)


VersionId = Annotated[int, typer.Argument(help="The version's id (alarmvern policy versions).")]


@policy_app.command("customers")
def customers_command(ctx: typer.Context, version: VersionId, lang: Lang = "nb") -> None:
    """Kundene som må varsles, som CSV / the customers to tell of a material change, as CSV.

    Every current customer, with where to reach them and when they were told of the version.
    The export is audited. Example: alarmvern policy customers 2 > kunder.csv
    """
    system = open_system(settings_of(ctx))
    try:
        text = policy_telling.export_csv(system.engine, version, actor=SYSTEM_ACTOR, lang=lang)
    finally:
        system.close()
    sys.stdout.write(text)


@policy_app.command("tell")
def tell_command(ctx: typer.Context, version: VersionId) -> None:
    """Varsle kundene på e-post / e-mail the customers not yet told of a material change.

    Through the outgoing-mail channel (ALARMVERN_SMTP_HOST; without it, the file outbox).
    Each customer is told once per version; run it again to reach those it failed for.
    Example: alarmvern policy tell 2
    """
    system = open_system(settings_of(ctx))
    try:
        told = policy_telling.tell_by_email(
            system.engine, system.vault, outbox_of(system), version, actor=SYSTEM_ACTOR
        )
    finally:
        system.close()
    out.print(
        f"Varslet nå / told now: {told.sent}; fra før / before: {told.already}; "
        f"feilet / failed: {told.failed}; uten e-post / without e-mail: {told.by_hand}",
        markup=False,
    )
    if told.failed:
        raise typer.Exit(1)
