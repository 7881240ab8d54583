"""Commands that carry out a right on a verified request: access, erasure, restriction,
objection, consent withdrawal, and re-applying erasures after a restore."""

from __future__ import annotations

from typing import Annotated

import typer

from alarmvern.cli.rights import By, RequestId, out, rights_app, show_request
from alarmvern.cli.store import opened, writing
from alarmvern.rights import decisions, requests, service
from alarmvern.rights.restriction import Reason


@rights_app.command("access")
def access_command(
    ctx: typer.Context,
    request_id: RequestId,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Include the PDF report.")] = True,
    english: Annotated[bool, typer.Option("--english", help="The report in English.")] = False,
    by: By = "kundeservice",
) -> None:
    """Lag innsynspakken / build the access package (art. 15).

    Example: alarmvern rights access 12
    """
    with opened(ctx) as system:
        package = service.access(
            system, request_id, actor=by, pdf=pdf, lang="en" if english else "nb"
        )
    rows = sum(package.counts.values())
    out.print(
        f"innsynspakke / access package: {package.path} ({rows} rader / rows, "
        f"{package.media} filer / files)"
    )
    if package.needs_review:
        out.print(
            "Før utlevering: gjennomgå for andre personer i / before release, review for other "
            f"people in: {', '.join(package.needs_review)}; then `alarmvern rights review-done "
            f"{request_id}`"
        )


@rights_app.command("portability")
def portability_command(
    ctx: typer.Context,
    request_id: RequestId,
    send_to: Annotated[
        str | None, typer.Option("--send-to", help="The new provider's https:// endpoint.")
    ] = None,
    recipient: Annotated[
        str | None, typer.Option(help="The new provider's name, for the disclosures log.")
    ] = None,
    by: By = "kundeservice",
) -> None:
    """Lag dataportabilitetspakken / build the portability package (art. 20), and send it.

    Example: alarmvern rights portability 12 --send-to https://ny.example/import --recipient "Ny AS"
    """
    with opened(ctx) as system:
        result, sent = service.export_portable(
            system, request_id, actor=by, send_to=send_to, recipient_name=recipient
        )
    out.print(
        f"dataportabilitet / portability: {result.path} ({sum(result.counts.values())} rader)"
    )
    if sent is not None:
        out.print(
            f"sendt til / sent to {sent.host} (HTTP {sent.status_code}), logget som utlevering"
        )


@rights_app.command("rectify")
def rectify_command(
    ctx: typer.Context,
    request_id: RequestId,
    table: Annotated[str, typer.Option(help="The table, e.g. persons.")],
    row: Annotated[int, typer.Option(help="The row's id.")],
    column: Annotated[str, typer.Option(help="The column, e.g. email.")],
    value: Annotated[str, typer.Option(help="The correct value ('' clears it).")],
    by: By = "kundeservice",
) -> None:
    """Rett en opplysning / correct a value (art. 16); recipients get a letter (art. 19).

    Example: alarmvern rights rectify 12 --table persons --row 17 --column email --value ny@x.no
    """
    with opened(ctx) as system:
        change, letters = service.correct(
            system, request_id, table=table, row_id=row, column=column, value=value, actor=by
        )
    out.print(f"rettet / corrected: {change.table}.{change.column} (row {change.row_id})")
    for letter in letters:
        out.print(f"melding til mottaker / letter to recipient: {letter}")


@rights_app.command("review-done")
def review_done_command(ctx: typer.Context, request_id: RequestId, by: By = "kundeservice") -> None:
    """Materialet er gjennomgått for andre personer / third-party review done (art. 15(4))."""
    with opened(ctx) as system:
        service.review_done(system, request_id, actor=by)
    out.print("gjennomgått / reviewed")


@rights_app.command("erase")
def erase_command(
    ctx: typer.Context,
    request_id: RequestId,
    keep_contract: Annotated[
        bool,
        typer.Option("--keep-contract", help="Keep what an active contract needs, erase the rest."),
    ] = False,
    by: By = "personvernombud",
) -> None:
    """Slett personen / erase the person (art. 17); writes their receipt.

    Example: alarmvern rights erase 14
    """
    with opened(ctx) as system:
        receipt, path = service.erase(system, request_id, actor=by, keep_contract=keep_contract)
        with system.engine.connect() as conn:
            pending = [s["step"] for s in requests.get(conn, request_id).pending()]
    for d in receipt.decisions:
        until = f" til / until {d.until}" if d.until else ""
        reason = f" ({d.reason})" if d.reason else ""
        out.print(f"{d.table}: {d.action} {d.rows}{reason}{until}")
    out.print(f"kvittering / receipt: {path}")
    if "recipients_notified" in pending:
        out.print(
            "Send meldingene til mottakerne (art. 19), så / send the letters to the recipients, "
            f"then: alarmvern rights step-done {request_id} recipients_notified"
        )


@rights_app.command("restrict")
def restrict_command(
    ctx: typer.Context,
    request_id: RequestId,
    reason: Annotated[Reason, typer.Option(help="Art. 18(1) (a)–(d).")],
    by: By = "personvernombud",
) -> None:
    """Begrens behandlingen / restrict processing (art. 18): kept, not used."""
    with writing(ctx) as (_system, conn):
        request = decisions.restrict(conn, request_id, reason=reason, actor=by)
    show_request(request)


@rights_app.command("lift-notice")
def lift_notice_command(
    ctx: typer.Context, request_id: RequestId, by: By = "personvernombud"
) -> None:
    """Gi beskjed før begrensningen oppheves / tell the person first (art. 18(3)).

    Example: alarmvern rights lift-notice 12
    """
    with writing(ctx) as (_system, conn):
        decisions.tell_before_lifting(conn, request_id, actor=by)
    out.print(decisions.LIFT_NOTICE[0])
    out.print(decisions.LIFT_NOTICE[1])


@rights_app.command("lift")
def lift_command(ctx: typer.Context, request_id: RequestId, by: By = "personvernombud") -> None:
    """Opphev begrensningen / lift a restriction (after ``rights lift-notice``, art. 18(3)).

    Example: alarmvern rights lift 12
    """
    with writing(ctx) as (_system, conn):
        decisions.lift(conn, request_id, actor=by)
    out.print(f"forespørsel {request_id}: begrensning opphevet / restriction lifted")


@rights_app.command("object")
def object_command(
    ctx: typer.Context,
    request_id: RequestId,
    marketing: Annotated[
        bool, typer.Option("--marketing", help="To direct marketing: absolute, at once.")
    ] = False,
    activity: Annotated[
        str | None, typer.Option(help="A legitimate-interest activity: for a decision.")
    ] = None,
    by: By = "kundeservice",
) -> None:
    """Registrer en innsigelse / record an objection (art. 21)."""
    with writing(ctx) as (system, conn):
        decisions.object_to(conn, system.vault, system.policy.policy, request_id,
                            marketing=marketing, activity=activity, actor=by)  # fmt: skip
        request = requests.get(conn, request_id)
    show_request(request)


@rights_app.command("decide")
def decide_command(
    ctx: typer.Context,
    request_id: RequestId,
    uphold: Annotated[bool, typer.Option("--uphold/--reject", help="The decision.")],
    reason: Annotated[str, typer.Option(help="The grounds, told to the person.")],
    by: By = "personvernombud",
) -> None:
    """Avgjør en innsigelse / decide an objection to a legitimate-interest activity."""
    with writing(ctx) as (system, conn):
        erased = decisions.decide(
            conn, system.policy.policy, request_id, upheld=uphold, reason=reason, actor=by
        )
    out.print(f"avgjort / decided; slettet / erased: {erased or 'ingenting / nothing'}")


@rights_app.command("withdraw")
def withdraw_command(
    ctx: typer.Context,
    request_id: RequestId,
    activity: Annotated[str, typer.Option(help="The consent-based activity, e.g. presence.")],
    by: By = "kundeservice",
) -> None:
    """Trekk et samtykke / withdraw a consent (art. 7(3)); its data is erased."""
    with opened(ctx) as system:
        erased = service.withdraw(system, request_id, activity, actor=by)
    out.print(f"samtykke trukket / consent withdrawn; slettet / erased: {erased or '-'}")


@rights_app.command("replay-erasures")
def replay_command(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="Replay erasures from this date (YYYY-MM-DD).")],
    by: By = "drift",
) -> None:
    """Gjenta slettinger etter gjenoppretting / re-apply erasures to a restored backup."""
    with opened(ctx) as system:
        count = service.replay(system, since, actor=by)
    out.print(f"{count} slettinger gjentatt / erasures re-applied")
