"""Commands on rights requests: register, find the person, verify, extend, list, close.

The rights themselves (access, erasure, …) are in :mod:`alarmvern.cli.rights_actions`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from alarmvern.cli import app
from alarmvern.cli.store import opened, writing
from alarmvern.errors import AlarmvernError
from alarmvern.policy.model import Verification
from alarmvern.rights import finder, requests
from alarmvern.rights.requests import Channel, Kind, RightsRequest
from alarmvern.store.engine import reading

out = Console()
rights_app = typer.Typer(
    help="De registrertes rettigheter / data-subject rights.", no_args_is_help=True
)
app.add_typer(rights_app, name="rights")

Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
By = Annotated[str, typer.Option("--by", help="Who does this (recorded in the audit log).")]
RequestId = Annotated[int, typer.Argument(help="The request's id (see `rights list`).")]


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AlarmvernError(
            f"{option} {value!r} er ikke en dato; skriv ÅÅÅÅ-MM-DD",
            f"{option} {value!r} is not a date; write YYYY-MM-DD",
        ) from None


def show_request(request: RightsRequest) -> None:
    today = datetime.now(UTC).date()
    late = " (FORSINKET / OVERDUE)" if request.overdue(today) else ""
    out.print(
        f"forespørsel / request {request.id}: {request.kind.value}, {request.status.value}, "
        f"frist / due {request.deadline.isoformat()}{late}"
    )
    pending = ", ".join(s["step"] for s in request.pending())
    if pending:
        out.print(f"venter på / pending: {pending}")


@rights_app.command("open")
def open_command(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="What the person asks for.")],
    channel: Annotated[Channel, typer.Option(help="How the request came in.")] = Channel.email,
    person: Annotated[int | None, typer.Option(help="The person, if already known.")] = None,
    received: Annotated[
        str | None, typer.Option(help="Date received (YYYY-MM-DD), if not today.")
    ] = None,
    by: By = "kundeservice",
) -> None:
    """Registrer en forespørsel / register a request; its deadline starts running.

    Example: alarmvern rights open access --channel email --person 17
    """
    at = None
    if received is not None:
        at = datetime.combine(parse_day(received, "--received"), time(12), tzinfo=UTC)
    with writing(ctx) as (_system, conn):
        request = requests.open_request(
            conn, kind=kind, channel=channel, person_id=person, actor=by, received_at=at
        )
    show_request(request)


@rights_app.command("list")
def list_command(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Include closed requests.")] = False,
    as_json: Json = False,
) -> None:
    """Vis forespørsler, de forsinkede først / list requests, overdue first."""
    with opened(ctx) as system, reading(system.engine) as conn:
        found = requests.list_requests(conn, include_closed=all_)
    today = datetime.now(UTC).date()
    if as_json:
        rows = [
            {
                "id": r.id,
                "kind": r.kind.value,
                "person_id": r.person_id,
                "status": r.status.value,
                "received": r.received_on.isoformat(),
                "deadline": r.deadline.isoformat(),
                "overdue": r.overdue(today),
                "pending": [s["step"] for s in r.pending()],
            }
            for r in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("id", "type / kind", "person", "mottatt / received", "frist / due", "status")
    for r in found:
        due = r.deadline.isoformat() + (" !" if r.overdue(today) else "")
        person = str(r.person_id) if r.person_id else "?"
        pending = ", ".join(s["step"] for s in r.pending())
        status = r.status.value + (f" ({pending})" if pending else "")
        table.add_row(str(r.id), r.kind.value, person, r.received_on.isoformat(), due, status)
    out.print(table)


@rights_app.command("show")
def show_command(ctx: typer.Context, request_id: RequestId, as_json: Json = False) -> None:
    """Vis en forespørsel med stegene / show a request and its steps."""
    with opened(ctx) as system, reading(system.engine) as conn:
        request = requests.get(conn, request_id)
    if as_json:
        print(json.dumps(request.__dict__, default=str, ensure_ascii=False, indent=2))
        return
    show_request(request)
    for step in request.steps:
        out.print(f"  {step.get('at', '')[:16]}  {step['step']}: {step['status']}")


@rights_app.command("find")
def find_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="Part of the name.")] = None,
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    customer_no: Annotated[str | None, typer.Option("--customer-no")] = None,
    nin: Annotated[str | None, typer.Option(help="National identity number (11 digits).")] = None,
    site: Annotated[int | None, typer.Option(help="A site, with --start and --end.")] = None,
    start: Annotated[str | None, typer.Option(help="Window start, ISO date-time.")] = None,
    end: Annotated[str | None, typer.Option(help="Window end, ISO date-time.")] = None,
) -> None:
    """Finn personen en forespørsel gjelder / find who a request concerns; staff confirm.

    Example: alarmvern rights find --email kari@example.no --phone 91234567
    """
    if site is not None:
        if start is None or end is None:
            raise AlarmvernError(
                "--site trenger --start og --end (ISO-tidspunkter)",
                "--site needs --start and --end (ISO date-times)",
            )
        _find_material(ctx, site, start, end)
        return
    if not any((name, email, phone, customer_no, nin)):
        raise AlarmvernError(
            "oppgi minst én av --name, --email, --phone, --customer-no, --nin",
            "give at least one of --name, --email, --phone, --customer-no, --nin",
        )
    with opened(ctx) as system, system.engine.begin() as conn:
        found = finder.find(
            conn,
            system.vault,
            name=name,
            email=email,
            phone=phone,
            customer_no=customer_no,
            nin=nin,
        )
        material = finder.material_by_phone(conn, phone) if phone else []
    table = Table("person", "navn / name", "e-post", "telefon", "treff / matched", "roller / roles")
    for c in found:
        table.add_row(
            str(c.person_id),
            c.name or "",
            c.email or "",
            c.phone or "",
            ", ".join(c.matched_on),
            ", ".join(c.roles),
        )
    out.print(table if found else "ingen treff / no match")
    for m in material:
        out.print(f"samtaleopptak / call recording {m.row_id} at {m.at:%Y-%m-%d %H:%M}")


def _moment(value: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise AlarmvernError(
            f"{option} {value!r}: skriv et tidspunkt, f.eks. 2026-11-01T14:00",
            f"{option} {value!r}: write a date-time, e.g. 2026-11-01T14:00",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _find_material(ctx: typer.Context, site: int, start: str, end: str) -> None:
    window = _moment(start, "--start"), _moment(end, "--end")
    with opened(ctx) as system, reading(system.engine) as conn:
        found = finder.material_at_site(conn, site, *window)
    for m in found:
        out.print(f"{m.table} {m.row_id} at {m.at:%Y-%m-%d %H:%M} (account {m.account_id})")
    out.print(
        "Materialet kan vise andre personer: gjennomgå før utlevering (art. 15(4)). / "
        "The material may show other people: review before release."
        if found
        else "ingen treff / no match"
    )


@rights_app.command("confirm")
def confirm_command(
    ctx: typer.Context,
    request_id: RequestId,
    person: Annotated[int, typer.Argument(help="The person staff matched.")],
    by: By = "kundeservice",
) -> None:
    """Bekreft hvem forespørselen gjelder / confirm the person a request concerns."""
    with writing(ctx) as (_system, conn):
        requests.confirm_person(conn, request_id, person, actor=by)
    out.print(f"forespørsel / request {request_id}: person {person}")


@rights_app.command("verify")
def verify_command(
    ctx: typer.Context,
    request_id: RequestId,
    method: Annotated[Verification, typer.Option(help="How the identity was checked.")],
    by: By = "kundeservice",
) -> None:
    """Registrer identitetskontroll / record the identity check; a paused clock resumes."""
    with writing(ctx) as (system, conn):
        allowed = system.policy.policy.rights.verification
        request = requests.verify_identity(
            conn, request_id, method=method, actor=by, allowed=allowed
        )
    show_request(request)


@rights_app.command("await-identity")
def await_identity_command(
    ctx: typer.Context,
    request_id: RequestId,
    reason: Annotated[str, typer.Option(help="Why the identity must be checked further.")],
    by: By = "kundeservice",
) -> None:
    """Stopp klokken til identiteten er bekreftet / pause the clock for an identity check."""
    with writing(ctx) as (_system, conn):
        request = requests.await_identity(conn, request_id, actor=by, reason=reason)
    show_request(request)


@rights_app.command("extend")
def extend_command(
    ctx: typer.Context,
    request_id: RequestId,
    months: Annotated[int, typer.Option(min=1, max=2, help="One or two months.")],
    reason: Annotated[str, typer.Option(help="Why; the person is told.")],
    by: By = "personvernombud",
) -> None:
    """Forleng fristen / extend the deadline (art. 12(3)); tell the person in the first month."""
    with writing(ctx) as (_system, conn):
        request = requests.extend(conn, request_id, months=months, reason=reason, actor=by)
    show_request(request)


@rights_app.command("step-done")
def step_done_command(
    ctx: typer.Context,
    request_id: RequestId,
    step: Annotated[str, typer.Argument(help="The pending step, e.g. recipients_notified.")],
    by: By = "kundeservice",
) -> None:
    """Marker et ventende steg som gjort / mark a pending step done."""
    with writing(ctx) as (_system, conn):
        request = requests.get(conn, request_id)
        requests.finish_step(conn, request, step, actor=by)
    out.print(f"{step}: ok")


@rights_app.command("close")
def close_command(
    ctx: typer.Context,
    request_id: RequestId,
    outcome: Annotated[str, typer.Option(help="What the person was told.")],
    refused: Annotated[bool, typer.Option("--refused", help="The request was refused.")] = False,
    by: By = "kundeservice",
) -> None:
    """Avslutt forespørselen / close the request (refused while a step is pending)."""
    with writing(ctx) as (_system, conn):
        request = requests.close(conn, request_id, outcome=outcome, actor=by, refused=refused)
    show_request(request)
