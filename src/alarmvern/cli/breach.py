"""Commands on personal-data breaches: register, list with the 72-hour clock, propose and add
the people affected, decide, draft the notices (each person's message goes out through the
outbox) and mark the rest sent. The rules are in :mod:`alarmvern.accountability`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alarmvern.accountability import affected, breaches, drafts
from alarmvern.accountability.breaches import parse_time
from alarmvern.cli import app
from alarmvern.cli.store import opened, reading, writing

out = Console()
breach_app = typer.Typer(help="Brudd på personopplysningssikkerheten / breaches.")
app.add_typer(breach_app, name="breach", no_args_is_help=True)

By = Annotated[str, typer.Option(help="Who does it (audited).")]


@breach_app.command("register")
def register_command(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="A short title.")],
    description: Annotated[str, typer.Option(help="What happened.")],
    discovered: Annotated[str | None, typer.Option(help="When it was discovered (ISO).")] = None,
    began: Annotated[str | None, typer.Option(help="When it began (ISO).")] = None,
    category: Annotated[list[str] | None, typer.Option(help="A policy category key.")] = None,
    people: Annotated[int | None, typer.Option(help="How many people, about.")] = None,
    records: Annotated[int | None, typer.Option(help="How many records, about.")] = None,
    consequences: Annotated[str, typer.Option(help="Likely consequences.")] = "",
    measures: Annotated[str, typer.Option(help="Measures taken or proposed.")] = "",
    controller: Annotated[
        str | None, typer.Option(help="The business customer, where we are its processor.")
    ] = None,
    by: By = "dpo",
) -> None:
    """Registrer et brudd / register a breach; the 72 hours run from --discovered."""
    with writing(ctx) as (system, conn):
        breach_id = breaches.register(
            conn,
            system.policy.policy,
            title=title,
            description=description,
            discovered_at=parse_time("discovered_at", discovered),
            began_at=parse_time("began_at", began),
            categories=category or [],
            people_count=people,
            records_count=records,
            consequences=consequences,
            measures=measures,
            controller=controller,
            actor=by,
        )
        found = breaches.get(conn, breach_id)
    out.print(f"brudd / breach {breach_id}: frist / deadline {found.deadline.isoformat()}")


@breach_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Vis registeret, forfalte først / the register, overdue first."""
    with reading(ctx) as (_, conn):
        found = breaches.list_breaches(conn)
    at = datetime.now(UTC)
    if as_json:
        rows = [
            b.model_dump() | {"hours_left": round(b.hours_left(at), 1), "overdue": b.overdue(at)}
            for b in found
        ]
        print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    table = Table("id", "tittel / title", "frist / deadline", "timer igjen / hours left", "status")
    for b in found:
        status = "avgjort / decided" if b.decided else "uavgjort / undecided"
        if b.overdue(at):
            status = "FORFALT / OVERDUE"
        table.add_row(str(b.id), b.title, b.deadline.isoformat(), f"{b.hours_left(at):.1f}", status)
    out.print(table)


@breach_app.command("affected")
def affected_command(
    ctx: typer.Context,
    breach_id: Annotated[int, typer.Argument(help="The breach.")],
    login: Annotated[
        str | None, typer.Option(help="The login whose reads are in question.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Window start (ISO).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Window end (ISO).")] = None,
    prefix: Annotated[str | None, typer.Option(help="A lost blob bucket/prefix.")] = None,
    add: Annotated[bool, typer.Option(help="Record the people proposed.")] = False,
    by: By = "dpo",
) -> None:
    """Foreslå berørte / propose the people affected, from the audit log or lost blobs."""
    with writing(ctx) as (_, conn):
        breaches.get(conn, breach_id)
        people, source = affected.propose(
            conn,
            login=login,
            start=parse_time("start", start),
            end=parse_time("end", end),
            prefix=prefix,
        )
        added = affected.add(conn, breach_id, people, source=source, actor=by) if add else 0
    out.print(f"foreslått / proposed: {len(people)} personer / people: {people}")
    if add:
        out.print(f"lagt til / added: {added}")


@breach_app.command("decide")
def decide_command(
    ctx: typer.Context,
    breach_id: Annotated[int, typer.Argument(help="The breach.")],
    authority: Annotated[bool, typer.Option(help="Notify Datatilsynet (art. 33(1)).")],
    people: Annotated[bool, typer.Option(help="Tell the people affected (art. 34).")],
    reasons: Annotated[str, typer.Option(help="The reasons for the decision.")] = "",
    by: By = "dpo",
) -> None:
    """Beslutt varsling, med begrunnelse / decide whom to notify, with the reasons."""
    with writing(ctx) as (_, conn):
        breaches.decide(
            conn,
            breach_id,
            notify_authority=authority,
            notify_people=people,
            reasons=reasons,
            actor=by,
        )
    out.print(f"brudd / breach {breach_id}: beslutning lagret / decision recorded")


@breach_app.command("draft")
def draft_command(
    ctx: typer.Context,
    breach_id: Annotated[int, typer.Argument(help="The breach.")],
    lang: Annotated[str, typer.Option(help="nb or en, for the printout.")] = "nb",
    by: By = "dpo",
) -> None:
    """Lag utkastene og send meldingene til de berørte / draft the notices, send each
    person's message through the outbox (e-mail or SMS), and print them."""
    with opened(ctx) as system:
        with system.engine.begin() as conn:
            drafts.make(conn, breach_id, system.policy.policy, actor=by)
        went = drafts.deliver_for(system, breach_id, actor=by)  # after the drafts' commit
        with system.engine.connect() as conn:
            found = drafts.list_drafts(conn, breach_id)
    out.print(
        f"sendt / sent: {went.sent}, feilet / failed: {went.failed}, "
        f"for hånd / by hand: {went.by_hand}"
    )
    for d in found:
        if d.sent_at is not None:
            state = f"sendt / sent {d.to_send_by or ''} {d.sent_at.isoformat()}"
        elif d.to_send_by == "hand":
            state = "sendes for hånd / to send by hand"
        else:
            state = f"ikke sendt / not sent ({d.to_send_by or '-'})"
        out.print(f"--- utkast / draft {d.id} ({d.kind}, {state})")
        out.print(d.body_nb if lang == "nb" else d.body_en, markup=False)


@breach_app.command("sent")
def sent_command(
    ctx: typer.Context,
    draft_id: Annotated[int, typer.Argument(help="The draft.")],
    by: By = "dpo",
) -> None:
    """Merk et utkast som sendt / mark a draft sent (once)."""
    with writing(ctx) as (_, conn):
        drafts.mark_sent(conn, draft_id, actor=by)
    out.print(f"utkast / draft {draft_id}: sendt / sent")
