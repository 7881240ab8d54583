"""Telling customers of a material policy change, and the change notice on Mine Sider.

Before a material change applies, the customers must be told (art. 13(3), 14(4)): the DPO
exports them as CSV (:func:`to_csv`) or has them told by e-mail through the outbox
(:func:`tell_by_email`). Each person is told once per version: ``policy_notices`` records it,
so a second run sends only to those not yet told. The same table records that a person has
read that the notice changed, and :func:`unread` decides the "Personvernerklæringen er endret"
banner on Mine Sider: shown for the version in force, or the coming one once the person was
told of it, when it changes something material and they have not marked it read.

One home for the DPO pages, Mine Sider and the CLI (``alarmvern policy customers|tell``),
the audited looks at the customers included (:func:`export_csv`, :func:`customers_page`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select, update

from alarmvern import audit, policy_history
from alarmvern.audit.group import append_alone
from alarmvern.errors import AlarmvernError
from alarmvern.outbox import Outbox, Outgoing, send
from alarmvern.policy import PolicyError, loads
from alarmvern.policy_history import CustomerToTell, Version
from alarmvern.store.engine import reading
from alarmvern.store.tables import persons, policy_notices, policy_versions
from alarmvern.store.tables.columns import as_utc
from alarmvern.vault import Vault

TEMPLATE = "policy.changed"
NOTICE_PATH = "/personvernerklaering"
CHANGES_PATH = "/mine-sider/erklaering-endret"
ALL = 10_000_000  # every current customer, for the export and the sending

OSLO = ZoneInfo("Europe/Oslo")


class NoticeError(AlarmvernError):
    """Customers cannot be told of this policy version as asked; the message says why."""

    http_status = 409


class VersionMissing(NoticeError):
    """No policy version with that id."""

    http_status = 404


@dataclass(frozen=True)
class ToTell:
    customer: CustomerToTell
    told_at: datetime | None


@dataclass(frozen=True)
class Told:
    sent: int  # told now
    already: int  # told before, not sent again
    failed: int  # the outbox could not hand it over; tried again next time
    by_hand: int  # no e-mail address: tell them another way (the CSV lists them)


def material_version(conn: Connection, version_id: int) -> Version:
    """The version, if it is one customers must be told of; else NoticeError."""
    version = policy_history.find(conn, version_id)
    if version is None:
        raise VersionMissing(f"ingen policyversjon {version_id}", f"no policy version {version_id}")
    if not version.material:
        raise NoticeError(
            f"versjon {version_id} har ingen vesentlige endringer, så ingen må varsles",
            f"version {version_id} makes no material change, so nobody needs telling",
        )
    return version


def to_tell(conn: Connection, version_id: int) -> list[ToTell]:
    """Every current customer, in customer order, with when they were told of the version."""
    _, customers = policy_history.customers_to_tell(conn, limit=ALL, offset=0)
    when = told(conn, version_id)
    return [ToTell(c, when.get(c.person_id)) for c in customers]


def told(conn: Connection, version_id: int) -> dict[int, datetime]:
    """Who has been told of the version (person id → when)."""
    rows = conn.execute(
        select(policy_notices.c.person_id, policy_notices.c.told_at).where(
            policy_notices.c.version_id == version_id, policy_notices.c.told_at.is_not(None)
        )
    )
    return {int(person): as_utc(at) for person, at in rows}


def to_csv(rows: list[ToTell], lang: str = "nb") -> str:
    """The customers to tell as CSV (pure), one line each, headed in ``lang``."""
    header = (
        ["kundenr", "navn", "firma", "e-post", "telefon", "varslet"]
        if lang == "nb"
        else ["customer no", "name", "organisation", "e-mail", "phone", "told"]
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        c = row.customer
        told = row.told_at.isoformat(timespec="seconds") if row.told_at else ""
        writer.writerow(
            [c.customer_no, c.name or "", c.org_name or "", c.email or "", c.phone or "", told]
        )
    return out.getvalue()


def export_csv(engine: Engine, version_id: int, *, actor: str, lang: str = "nb") -> str:
    """Every customer to tell of the version as CSV (:func:`to_csv`), for the DPO console
    and the CLI alike: the export is audited (``staff.export``: it names many), durably
    before the file is handed over."""
    with reading(engine) as conn:
        material_version(conn, version_id)
        rows = to_tell(conn, version_id)
    append_alone(
        engine, actor=actor, action="staff.export", subject=None,
        purpose=f"policy-change:{version_id}", details={"customers": len(rows)},
    )  # fmt: skip
    return to_csv(rows, lang)


@dataclass(frozen=True)
class CustomersPage:
    version: Version
    total: int  # every customer to tell
    rows: list[CustomerToTell]  # this page of them
    told: dict[int, datetime]  # person id → when told of the version


def customers_page(
    engine: Engine, version_id: int, *, actor: str, page: int, size: int
) -> CustomersPage:
    """Page ``page`` (from 1) of the customers to tell of the version, with where to reach
    them and who has been told: the look is audited (``staff.view``), durably before the
    page is shown."""
    with reading(engine) as conn:
        version = policy_history.find(conn, version_id)
        if version is None:
            raise VersionMissing(
                f"ingen policyversjon {version_id}", f"no policy version {version_id}"
            )
        total, rows = policy_history.customers_to_tell(conn, limit=size, offset=(page - 1) * size)
        when = told(conn, version_id)
    append_alone(
        engine, actor=actor, action="staff.view", subject=None,
        purpose=f"policy-change:{version_id}", details={"customers": len(rows), "page": page},
    )  # fmt: skip
    return CustomersPage(version, total, rows, when)


def message(company: str, version: Version, to: str, public_url: str) -> Outgoing:
    """The e-mail telling a customer of ``version`` (pure): bokmål first, then English."""
    assert version.changes is not None
    base = public_url.rstrip("/")
    changes_nb = "\n".join(f"- {c.message_nb}" for c in version.changes.material_changes)
    changes_en = "\n".join(f"- {c.message_en}" for c in version.changes.material_changes)
    when_nb = version.policy_date.strftime("%d.%m.%Y")
    when_en = version.policy_date.isoformat()
    body = (
        f"Personvernerklæringen til {company} endres fra {when_nb}. "
        f"Dette er de vesentlige endringene:\n{changes_nb}\n\n"
        f"Du finner endringene på Mine Sider: {base}{CHANGES_PATH}\n"
        f"Personvernerklæringen: {base}{NOTICE_PATH}\n\n"
        "---\n\n"
        f"The privacy notice of {company} changes from {when_en}. "
        f"These are the material changes:\n{changes_en}\n\n"
        f"The changes are on My pages: {base}/lang/en?next={CHANGES_PATH}\n"
        f"The privacy notice: {base}/lang/en?next={NOTICE_PATH}\n"
    )
    subject = f"Personvernerklæringen til {company} endres / {company}'s privacy notice is changing"
    return Outgoing(channel="email", to=to, subject=subject, body=body)


def _company(conn: Connection, version_id: int) -> str:
    name, source = conn.execute(
        select(policy_versions.c.name, policy_versions.c.source).where(
            policy_versions.c.id == version_id
        )
    ).one()
    try:
        return loads(source, name=name).policy.controller.name
    except PolicyError:  # material_version has loaded it already; kept for the type
        raise NoticeError(
            f"versjon {version_id} kan ikke leses", f"version {version_id} cannot be read"
        ) from None


def tell_by_email(
    engine: Engine,
    vault: Vault,
    outbox: Outbox,
    version_id: int,
    *,
    actor: str,
) -> Told:
    """E-mail every current customer not yet told of ``version_id``; record each one told.

    Sent outside any write transaction (see ``outbox.send``); each success is recorded in
    its own short transaction with its audit entry, so a failure half-way loses nothing and
    a second run sends only to the rest.
    """
    with engine.connect() as conn:
        version = material_version(conn, version_id)
        company = _company(conn, version_id)
        rows = to_tell(conn, version_id)
    sent = already = failed = by_hand = 0
    for row in rows:
        c = row.customer
        if row.told_at is not None:
            already += 1
            continue
        if not c.email:
            by_hand += 1
            continue
        mail = message(company, version, c.email, outbox.public_url)
        if not send(engine, vault, outbox, mail, template=TEMPLATE, person_id=c.person_id):
            failed += 1
            continue
        with engine.begin() as conn:
            _record(conn, version_id, c.person_id, told=True)
            audit.append(
                conn,
                actor=actor,
                action="policy.told",
                subject=f"person:{c.person_id}",
                purpose=f"policy-change:{version_id}",
                details={"version": version_id, "channel": "email"},
            )
        sent += 1
    return Told(sent, already, failed, by_hand)


def _record(conn: Connection, version_id: int, person_id: int, *, told: bool) -> bool:
    """Mark the person told of (or having read) the version; False if it was already."""
    now = datetime.now(UTC)
    column = policy_notices.c.told_at if told else policy_notices.c.read_at
    found = conn.execute(
        select(policy_notices.c.id, column).where(
            policy_notices.c.version_id == version_id, policy_notices.c.person_id == person_id
        )
    ).first()
    if found is None:
        values = {"told_at": now, "channel": "email"} if told else {"read_at": now}
        conn.execute(
            policy_notices.insert().values(
                version_id=version_id, person_id=person_id, created_at=now, **values
            )
        )
        return True
    if found[1] is not None:
        return False
    values = {"told_at": now, "channel": "email"} if told else {"read_at": now}
    conn.execute(update(policy_notices).where(policy_notices.c.id == found[0]).values(**values))
    return True


def mark_read(conn: Connection, version_id: int, person_id: int, *, actor: str) -> bool:
    """The person has read that the notice changed in ``version_id``; False if already."""
    if policy_history.find(conn, version_id) is None:
        raise VersionMissing(f"ingen policyversjon {version_id}", f"no policy version {version_id}")
    if not _record(conn, version_id, person_id, told=False):
        return False
    audit.append(
        conn,
        actor=actor,
        action="policy.read",
        subject=f"person:{person_id}",
        purpose=f"policy-change:{version_id}",
        details={"version": version_id},
    )
    return True


_HISTORY: dict[tuple[str, int, int], list[Version]] = {}


def _history(conn: Connection) -> list[Version]:
    """The history, computed once per store and set of versions (they are only ever added),
    not on every Mine Sider page."""
    count, top = conn.execute(
        select(func.count(), func.coalesce(func.max(policy_versions.c.id), 0))
    ).one()
    key = (conn.engine.url.render_as_string(hide_password=True), int(count), int(top))
    if key not in _HISTORY:
        if len(_HISTORY) > 8:
            _HISTORY.clear()
        _HISTORY[key] = policy_history.history(conn)
    return _HISTORY[key]


def unread(
    conn: Connection, person_id: int, in_force_sha256: str, coming_sha256: str | None
) -> Version | None:
    """The changed version the person should be shown and has not read: the coming one if
    they were told of it, else the one in force; None when neither is a material change."""
    by_sha = {v.sha256: v for v in _history(conn)}
    mine = {
        int(version_id): (told_at, read_at)
        for version_id, told_at, read_at in conn.execute(
            select(
                policy_notices.c.version_id, policy_notices.c.told_at, policy_notices.c.read_at
            ).where(policy_notices.c.person_id == person_id)
        )
    }
    coming = by_sha.get(coming_sha256) if coming_sha256 else None
    if coming is not None and mine.get(coming.id, (None, None))[0] is None:
        coming = None  # not told yet: the banner is for what they were told of
    in_force = by_sha.get(in_force_sha256)
    if in_force is not None and _came_after(conn, person_id, in_force):
        in_force = None  # they were given this notice as it is when they came
    for version in (coming, in_force):
        if version is None or not version.material:
            continue
        if mine.get(version.id, (None, None))[1] is None:
            return version
    return None


def _came_after(conn: Connection, person_id: int, version: Version) -> bool:
    """Whether the person was registered after the version applied: nothing changed for
    them, so there is nothing to tell."""
    registered = conn.execute(
        select(persons.c.created_at).where(persons.c.id == person_id)
    ).scalar()
    if registered is None:
        return False
    start = datetime.combine(version.policy_date, time(), OSLO)
    return as_utc(registered) > max(version.applied_at, start)


def applies_from(version: Version) -> date:
    """The day a version applies: its date, or the day it was stored if that was later."""
    return max(version.policy_date, version.applied_at.date())
