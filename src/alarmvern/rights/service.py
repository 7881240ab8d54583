"""Each right as one call on the open system, as the CLI and the web API use them.

A call checks the request is ready for the step (the person confirmed, their identity
verified), does the work in one transaction with its audit entries, and records the step on
the request. Files for the person (packages, receipts, letters) go under the data dir's
``exports`` folder, readable by the owner only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from alarmvern import audit
from alarmvern.customers import contracts
from alarmvern.policy.wording import Lang
from alarmvern.retention import exports
from alarmvern.retention.sweep import finish_tombstones
from alarmvern.rights import (
    access_package,
    consent,
    erasure,
    journal,
    portability,
    receipt,
    recipient_letters,
    rectify,
    requests,
    transmit,
)
from alarmvern.rights.requests import Kind, RequestError, RightsRequest
from alarmvern.rights.scope import personal_tables, scope_of
from alarmvern.rights.words import KIND
from alarmvern.store.engine import reading
from alarmvern.system import System


def exports_dir(system: System) -> Path:
    """The folder of files made for people, with what is older than a week deleted."""
    folder = system.settings.exports_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    exports.expire(folder)
    return folder


def erasure_journal(system: System) -> journal.Journal:
    return journal.Journal(system.settings.data_dir / "journal")


def _write_private(path: Path, content: str) -> Path:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(content)
    return path


def ready(request: RightsRequest, *kinds: Kind) -> int:
    """The person a request may act on now; refuse with what staff must do first.

    Each refusal has its own ``code`` (``wrong_kind``, ``closed``, ``person_unconfirmed``,
    ``identity_unverified``), so that the CLI and the pages can point to their own way of
    doing it; the message says what to do in words any of them can follow.
    """
    if kinds and request.kind not in kinds:
        nb = " eller ".join(KIND[k.value][0].lower() for k in kinds)
        en = " or ".join(KIND[k.value][1].lower() for k in kinds)
        have = KIND[request.kind.value]
        raise RequestError(
            f"forespørsel {request.id} gjelder {have[0].lower()}, ikke {nb}",
            f"request {request.id} is about {have[1].lower()}, not {en}",
            field="kind",
            code="wrong_kind",
        )
    if not request.is_open:
        raise requests.closed(request)
    if request.person_id is None:
        raise RequestError(
            f"forespørsel {request.id} gjelder ingen ennå: finn personen og bekreft hvem "
            "forespørselen gjelder",
            f"request {request.id} concerns nobody yet: find the person and confirm whom the "
            "request concerns",
            field="person",
            code="person_unconfirmed",
        )
    if request.verified_at is None:
        raise RequestError(
            f"forespørsel {request.id}: personens identitet er ikke bekreftet; registrer "
            "hvordan den ble kontrollert",
            f"request {request.id}: the person's identity is not verified; record how it was "
            "checked",
            field="verification",
            code="identity_unverified",
        )
    return request.person_id


def package_file(system: System, request_id: int) -> Path:
    return exports_dir(system) / f"request-{request_id}-access.zip"


def access(
    system: System,
    request_id: int,
    *,
    actor: str,
    pdf: bool = True,
    lang: Lang = "nb",
    withhold: bool = False,
    reviewed: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> access_package.AccessPackage:
    """Build the access package. ``withhold``: what may show other people waits for staff's
    review (art. 15(4)), the rest may go out now (the package a person builds themselves);
    ``reviewed``: staff have reviewed it, everything goes in."""
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        person = ready(request, Kind.access)
        scope = scope_of(conn, system.vault, person)
    path = package_file(system, request_id)
    # Read in a transaction of its own: a consistent snapshot, not holding intake's write lock.
    with reading(system.engine) as conn:
        package = access_package.build(
            conn,
            system.vault,
            system.policy,
            scope,
            path,
            request_id=request_id,
            pdf=pdf,
            lang=lang,
            withhold=withhold,
            progress=progress,
        )
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        rows = sum(package.counts.values())
        built = request.step("package_built")
        details: dict[str, Any] = {"rows": rows, "partial": bool(package.withheld)}
        if package.withheld:
            details["withheld"] = sorted(package.withheld)
        if built is not None and built.get("status") in SELF_SERVICE_STATES:
            requests.set_step(conn, request, "package_built", "done", actor=actor, **details)
        else:
            requests.add_step(conn, request, "package_built", "done", actor=actor, **details)
        if package.needs_review and not reviewed:
            requests.add_step(
                conn,
                request,
                "third_party_review",
                "pending",
                actor=actor,
                tables=package.needs_review,
            )
    return package


# A package the person asked for on Mine Sider, before it is built (rights.selfservice).
SELF_SERVICE_STATES = ("queued", "building")


def package_ready(system: System, request: RightsRequest) -> Path | None:
    """The access package the person may download now, or None: built, and either nothing
    is pending or what is pending (the review of material showing others) was left out."""
    built = request.step("package_built")
    if request.kind is not Kind.access or built is None or built.get("status") != "done":
        return None
    if request.pending() and not built.get("partial"):
        return None
    path = package_file(system, request.id)
    return path if path.is_file() else None


def portable_ready(system: System, request: RightsRequest) -> Path | None:
    """The portability package the person may download now, or None: built, nothing
    pending, and not yet expired from the exports folder."""
    built = request.step("package_built")
    if request.kind is not Kind.portability or built is None or built.get("status") != "done":
        return None
    if request.pending():
        return None
    path = portable_file(system, request.id)
    return path if path.is_file() else None


def portable_file(system: System, request_id: int) -> Path:
    return exports_dir(system) / f"request-{request_id}-portability.zip"


def review_done(system: System, request_id: int, *, actor: str) -> None:
    """Staff have checked the material for other people (art. 15(4)) and it may go out; a
    package built without it is built again, whole."""
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        requests.finish_step(conn, request, "third_party_review", actor=actor)
    built = request.step("package_built")
    if built is not None and built.get("partial") and request.is_open:
        access(system, request_id, actor=actor, pdf=True, lang=built.get("lang", "nb"),
               reviewed=True)  # fmt: skip


def notify_recipients(
    system: System,
    conn: Connection,
    request: RightsRequest,
    kind: recipient_letters.Kind,
    categories: list[str],
    *,
    actor: str,
) -> list[Path]:
    """Write an art. 19 letter to each recipient that received what changed, and leave the
    sending as a pending step for staff (``rights step-done N recipients_notified``)."""
    assert request.person_id is not None
    scope = scope_of(conn, system.vault, request.person_id)
    found = recipient_letters.recipients_to_notify(
        conn,
        system.policy.policy,
        person_id=scope.person_id,
        account_ids=scope.account_ids,
        categories=categories,
    )
    letters = [
        _write_private(
            exports_dir(system) / f"request-{request.id}-{kind}-{n.recipient}.txt",
            recipient_letters.letter(n, kind, "nb"),
        )
        for n in found
    ]
    if letters:
        requests.add_step(
            conn, request, "recipients_notified", "pending", actor=actor, letters=len(letters)
        )
    return letters


def _all_categories() -> list[str]:
    return sorted(
        {b.category for _t, b in personal_tables()}
        | {c for _t, b in personal_tables() for c in b.columns.values()}
    )


def erase(
    system: System,
    request_id: int,
    *,
    actor: str,
    keep_contract: bool = False,
    end_contracts: bool = False,
) -> tuple[erasure.Receipt, Path]:
    """Erase the person, journal it, delete the blobs, and write their receipt. With
    ``end_contracts``, the person's running contracts are ended today first (as customer
    service ends one), in the same transaction: nothing is kept for them."""
    if keep_contract and end_contracts:
        raise RequestError(
            "velg enten å beholde det avtalen trenger eller å avslutte avtalen først",
            "choose either to keep what the contract needs or to end the contract first",
        )
    log = erasure_journal(system)
    journal.settle(system.engine, log)
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        person = ready(request, Kind.erasure)
        erased = request.step("erased")
        if erased is not None:  # once: a second run would journal and receipt it again
            raise RequestError(
                f"forespørsel {request_id} er allerede utført ({str(erased['at'])[:10]}); "
                f"avslutt den",
                f"request {request_id} is already carried out; close it",
            )
        # The letters first: the log still names the person before the erasure.
        notify_recipients(system, conn, request, "erasure", _all_categories(), actor=actor)
        scope = scope_of(conn, system.vault, person)
        if end_contracts:
            for contract_id in erasure.active_contracts(conn, scope):
                contracts.end_contract(conn, actor=actor, contract_id=contract_id, at=None)
        their_requests = [r.id for r in requests.for_person(conn, person)]
        done = erasure.erase(
            conn,
            system.vault,
            system.policy.policy,
            scope,
            actor=actor,
            request_id=request_id,
            keep_contract=keep_contract,
        )
        entry = journal.Entry(done.at, person, request_id, done.ops, done.shredded)
        log.append(entry)  # the intent, durable before the commit
        rows = sum(d.rows for d in done.decisions if d.action != "kept")
        # What was kept and why, by category and reason code (no content): the person sees it.
        kept = receipt.kept_by_category(done)
        requests.add_step(
            conn, request, "erased", "done", actor=actor, rows=rows, journal=entry.id, kept=kept
        )
    log.committed(entry.id)
    audit.anchor(system.engine)
    finish_tombstones(system.engine, system.vault)
    folder = exports_dir(system)
    # The packages built for the person hold their data in clear: they go with them.
    done.exports_deleted = exports.remove_packages(folder, their_requests)
    _write_private(
        folder / f"request-{request_id}-receipt.json", json.dumps(done.as_dict(), indent=2)
    )
    path = _write_private(
        folder / f"request-{request_id}-kvittering.txt",
        receipt.text(done, system.policy.policy, "nb")
        + "\n"
        + receipt.text(done, system.policy.policy, "en"),
    )
    return done, path


def export_portable(
    system: System,
    request_id: int,
    *,
    actor: str,
    send_to: str | None = None,
    recipient_name: str | None = None,
) -> tuple[portability.PortabilityResult, transmit.Transmission | None]:
    """Build the portability package and, if asked, send it to the new provider."""
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        person = ready(request, Kind.portability)
        scope = scope_of(conn, system.vault, person)
    path = portable_file(system, request_id)
    with reading(system.engine) as conn:
        result = portability.build(conn, system.vault, system.policy.policy, scope, path)
    sent = None
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        rows = sum(result.counts.values())
        requests.add_step(conn, request, "package_built", "done", actor=actor, rows=rows)
        if send_to is not None:
            sent = transmit.send(
                path,
                send_to,
                person_id=person,
                recipient_name=recipient_name or send_to,
                conn=conn,
                actor=actor,
                request_id=request_id,
            )
            requests.add_step(conn, request, "sent", "done", actor=actor, http=sent.status_code)
    return result, sent


def correct(
    system: System,
    request_id: int,
    *,
    table: str,
    row_id: int,
    column: str,
    value: str,
    actor: str,
    seen: str | None = None,
    check_seen: bool = False,
) -> tuple[rectify.Rectification, list[Path]]:
    """Correct one value (art. 16) and write letters to those who received the old one;
    ``check_seen``: refuse if the value is no longer ``seen``, what staff decided on."""
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        person = ready(request, Kind.rectification)
        change = rectify.rectify(
            conn,
            system.vault,
            person_id=person,
            table_name=table,
            row_id=row_id,
            column=column,
            new_value=value,
            actor=actor,
            request_id=request_id,
            seen=seen,
            check_seen=check_seen,
        )
        requests.add_step(
            conn,
            request,
            "rectified",
            "done",
            actor=actor,
            change=change.id,
            table=change.table,
            column=change.column,
        )
        categories = [change.category] if change.category else []
        letters = notify_recipients(system, conn, request, "rectification", categories, actor=actor)
    return change, letters


def withdraw(system: System, request_id: int, activity: str, *, actor: str) -> dict[str, int]:
    with system.engine.begin() as conn:
        request = requests.get(conn, request_id)
        person = ready(request, Kind.withdrawal)
        erased = consent.withdraw(conn, system.policy.policy, person, activity, actor=actor)
        requests.add_step(conn, request, "withdrawn", "done", actor=actor, activity=activity)
    return erased


def replay(system: System, since: str, *, actor: str) -> int:
    try:
        day = date.fromisoformat(since)
    except ValueError:
        raise RequestError(
            f"{since!r} er ikke en dato; skriv ÅÅÅÅ-MM-DD",
            f"{since!r} is not a date; write YYYY-MM-DD",
            field="since",
            code="invalid",
        ) from None
    count = journal.replay(system.engine, system.vault, erasure_journal(system), day, actor)
    finish_tombstones(system.engine, system.vault)
    return count
