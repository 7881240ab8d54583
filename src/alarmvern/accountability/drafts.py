"""The drafts a breach calls for (nb/en): the notification to Datatilsynet with the items of
art. 33(3), a message to each person affected (art. 34(2)), and, where the company processes
for a business customer, the notice to that controller (art. 33(2), 28(3)(f)).

The texts are made here from the register and the policy (pure functions); the drafts are
stored. :func:`deliver` sends each person's message through the outbox once the drafts are
committed; what cannot go that way (Datatilsynet's form, the controller, people with no
address) the DPO sends and marks sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, Engine, or_, select

from alarmvern import audit
from alarmvern.accountability.affected import affected
from alarmvern.accountability.breaches import Breach, BreachError, BreachNotFound, get, new_id
from alarmvern.outbox import Outbox, Outgoing, addresses, send
from alarmvern.policy.model import Policy
from alarmvern.store.tables import breach_drafts
from alarmvern.store.tables.columns import as_utc, now
from alarmvern.vault import Vault

KINDS = ("authority", "person", "controller")


class Draft(BaseModel):
    """A stored draft; also what the API returns for one."""

    model_config = ConfigDict(frozen=True)

    id: int
    breach_id: int
    kind: str
    person_id: int | None
    body_nb: str
    body_en: str
    created_at: datetime
    to_send_by: str | None
    sent_at: datetime | None


def _when(at: datetime | None, lang: str = "en") -> str:
    if at is None:
        return "ukjent" if lang == "nb" else "unknown"
    return as_utc(at).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _said(text: str, otherwise: str) -> str:
    """The DPO's own words, without the full stop the sentence adds."""
    return text.strip().rstrip(".") or otherwise


def _categories(policy: Policy, keys: Sequence[str], lang: str) -> str:
    names = [policy.categories[k].name.get(lang) if k in policy.categories else k for k in keys]
    return ", ".join(names) or ("ikke fastslått" if lang == "nb" else "not yet established")


def _count(value: int | None, lang: str) -> str:
    return str(value) if value is not None else ("ukjent" if lang == "nb" else "unknown")


def _dpo(policy: Policy) -> str:
    dpo = policy.controller.dpo
    parts = [p for p in ((dpo.name, dpo.email, dpo.phone) if dpo else ()) if p]
    return ", ".join(parts) or (policy.controller.email or policy.controller.name)


def authority_text(b: Breach, policy: Policy, lang: str) -> str:
    """The notification to the supervisory authority, art. 33(3) (a)-(d), and its timing."""
    c = policy.controller
    late = (b.decided_at or now()) > b.deadline
    if lang == "nb":
        lines = [
            f"Melding om brudd på personopplysningssikkerheten til {c.supervisory_authority.name}",
            f"Behandlingsansvarlig: {c.name}" + (f" (org.nr. {c.org_no})" if c.org_no else ""),
            f"Bruddet: {b.title}. {b.description}",
            f"Begynte: {_when(b.began_at, 'nb')}. Oppdaget: {_when(b.discovered_at, 'nb')}.",
            f"a) Kategorier av opplysninger: {_categories(policy, b.categories, 'nb')}. "
            f"Omtrentlig antall registrerte: {_count(b.people_count, 'nb')}; "
            f"antall oppføringer: {_count(b.records_count, 'nb')}.",
            f"b) Personvernombud/kontaktpunkt: {_dpo(policy)}.",
            f"c) Sannsynlige konsekvenser: {_said(b.consequences, 'under vurdering')}.",
            f"d) Tiltak som er truffet eller foreslått: {_said(b.measures, 'under vurdering')}.",
        ]
        if late:
            lines.append(
                "Meldingen kommer senere enn 72 timer etter at bruddet ble oppdaget. "
                f"Grunnen: {b.decision_reasons or '(oppgi grunnen)'} (art. 33(1))."
            )
        return "\n".join(lines)
    lines = [
        f"Notification of a personal data breach to {c.supervisory_authority.name}",
        f"Controller: {c.name}" + (f" (org. no. {c.org_no})" if c.org_no else ""),
        f"The breach: {b.title}. {b.description}",
        f"Began: {_when(b.began_at)}. Discovered: {_when(b.discovered_at)}.",
        f"(a) Categories of data: {_categories(policy, b.categories, 'en')}. "
        f"Approximate number of data subjects: {_count(b.people_count, 'en')}; "
        f"of records: {_count(b.records_count, 'en')}.",
        f"(b) Data protection officer / contact point: {_dpo(policy)}.",
        f"(c) Likely consequences: {_said(b.consequences, 'being assessed')}.",
        f"(d) Measures taken or proposed: {_said(b.measures, 'being assessed')}.",
    ]
    if late:
        lines.append(
            "This notification comes later than 72 hours after discovery. The reasons: "
            f"{b.decision_reasons or '(give the reasons)'} (art. 33(1))."
        )
    return "\n".join(lines)


def person_text(b: Breach, policy: Policy, lang: str) -> str:
    """The message to a person affected, in plain language (art. 34(2)). It names no one."""
    c = policy.controller
    if lang == "nb":
        return "\n".join(
            [
                "Hei,",
                f"vi i {c.name} har hatt et sikkerhetsbrudd som gjelder opplysninger om deg.",
                f"Hva skjedde: {b.description}",
                f"Hvilke opplysninger: {_categories(policy, b.categories, 'nb')}.",
                f"Hva det kan bety for deg: {_said(b.consequences, 'vi vurderer det fortsatt')}.",
                f"Hva vi har gjort: {_said(b.measures, 'vi arbeider med tiltak')}.",
                f"Spørsmål? Kontakt personvernombudet: {_dpo(policy)}.",
            ]
        )
    return "\n".join(
        [
            "Hello,",
            f"we at {c.name} have had a security breach concerning data about you.",
            f"What happened: {b.description}",
            f"Which data: {_categories(policy, b.categories, 'en')}.",
            f"What it may mean for you: {_said(b.consequences, 'we are still assessing it')}.",
            f"What we have done: {_said(b.measures, 'we are working on measures')}.",
            f"Questions? Contact our data protection officer: {_dpo(policy)}.",
        ]
    )


def controller_text(b: Breach, policy: Policy, lang: str) -> str:
    """The processor's notice to the business customer, without undue delay (art. 33(2))."""
    nb_or_en = authority_text(b, policy, lang).split("\n", 1)[1]
    if lang == "nb":
        head = (
            f"Til {b.controller}: som databehandler for dere melder vi uten ugrunnet opphold "
            "om et brudd på personopplysningssikkerheten (art. 33(2))."
        )
    else:
        head = (
            f"To {b.controller}: as your processor we notify you without undue delay of a "
            "personal data breach (art. 33(2))."
        )
    return f"{head}\n{nb_or_en}"


def _insert(conn: Connection, b: Breach, kind: str, person: int | None, nb: str, en: str) -> int:
    row = conn.execute(
        breach_drafts.insert().values(
            breach_id=b.id, kind=kind, person_id=person, body_nb=nb, body_en=en, created_at=now()
        )
    )
    return new_id(row.inserted_primary_key)


def make(conn: Connection, breach_id: int, policy: Policy, *, actor: str) -> list[int]:
    """Draft what the decision calls for; drafts already made are not made again."""
    b = get(conn, breach_id)
    if not b.decided:
        raise BreachError(
            "decision",
            "bestem først om Datatilsynet og de berørte skal varsles",
            "first decide whether Datatilsynet and the people affected are told",
        )
    existing = {(d.kind, d.person_id) for d in list_drafts(conn, breach_id)}
    made: list[int] = []
    wanted: list[tuple[str, int | None, str, str]] = []
    if b.notify_authority:
        wanted.append(
            ("authority", None, authority_text(b, policy, "nb"), authority_text(b, policy, "en"))
        )
    if b.controller:
        wanted.append(
            ("controller", None, controller_text(b, policy, "nb"), controller_text(b, policy, "en"))
        )
    if b.notify_people:
        nb, en = person_text(b, policy, "nb"), person_text(b, policy, "en")
        wanted.extend(("person", person, nb, en) for person, _ in affected(conn, breach_id))
    for kind, person, nb, en in wanted:
        if (kind, person) not in existing:
            made.append(_insert(conn, b, kind, person, nb, en))
    audit.append(
        conn,
        actor=actor,
        action="breach.draft",
        subject=f"breach:{breach_id}",
        details={"drafts": len(made)},
    )
    return made


def _draft(row: object) -> Draft:
    r = row._mapping  # type: ignore[attr-defined]
    return Draft(
        id=int(r["id"]),
        breach_id=int(r["breach_id"]),
        kind=r["kind"],
        person_id=r["person_id"],
        body_nb=r["body_nb"],
        body_en=r["body_en"],
        created_at=as_utc(r["created_at"]),
        to_send_by=r["to_send_by"],
        sent_at=as_utc(r["sent_at"]) if r["sent_at"] else None,
    )


def list_drafts(conn: Connection, breach_id: int) -> list[Draft]:
    rows = conn.execute(
        select(breach_drafts)
        .where(breach_drafts.c.breach_id == breach_id)
        .order_by(breach_drafts.c.id)
    )
    return [_draft(r) for r in rows]


TEMPLATE = "breach.person"  # the outbox's record names this template, never the body
SUBJECT = "Et sikkerhetsbrudd som gjelder deg / A security breach concerning you"


@dataclass(frozen=True)
class Delivery:
    """What :func:`deliver` did: messages sent, failed (retried next time), left to the DPO."""

    sent: int = 0
    failed: int = 0
    by_hand: int = 0


def _hand_over(conn: Connection, breach_id: int) -> list[tuple[Draft, str, str]]:
    """Claim the drafts still to go: each person's draft with an address is claimed for its
    channel (so that two deliveries never send one twice); the rest become ``"hand"``."""
    waiting = [
        d
        for d in list_drafts(conn, breach_id)
        if d.sent_at is None and d.to_send_by in (None, "failed")
    ]
    reach = addresses(conn, (d.person_id for d in waiting if d.person_id is not None))
    claimed: list[tuple[Draft, str, str]] = []
    for d in waiting:
        to = reach.get(d.person_id) if d.kind == "person" and d.person_id is not None else None
        row = conn.execute(
            breach_drafts.update()
            .where(
                breach_drafts.c.id == d.id,
                breach_drafts.c.sent_at.is_(None),
                or_(breach_drafts.c.to_send_by.is_(None), breach_drafts.c.to_send_by == "failed"),
            )
            .values(to_send_by=to[0] if to else "hand")
        )
        if to is not None and row.rowcount == 1:
            claimed.append((d, to[0], to[1]))
    return claimed


def deliver(
    engine: Engine, vault: Vault, outbox: Outbox, breach_id: int, *, actor: str
) -> Delivery:
    """Send each affected person's draft through the outgoing channel (e-mail if we have the
    address, else SMS; bokmål, then English), after the transaction that made the drafts has
    committed: call it with no transaction open. ``outbox.send`` records each message (the
    recipient by keyed hash, the template, the time); the draft gets its channel and
    ``sent_at``. People with no address, the notification to Datatilsynet and the notice to
    the controller are left to the DPO (``to_send_by`` ``"hand"``), who marks them sent. A
    failed message is marked ``"failed"`` and tried again by the next delivery."""
    with engine.begin() as conn:
        get(conn, breach_id)
        claimed = _hand_over(conn, breach_id)
        by_hand = sum(
            1 for d in list_drafts(conn, breach_id) if d.sent_at is None and d.to_send_by == "hand"
        )
    sent = failed = 0
    for d, channel, to in claimed:
        message = Outgoing(
            channel=channel, to=to, subject=SUBJECT, body=f"{d.body_nb}\n\n---\n\n{d.body_en}"
        )
        ok = send(engine, vault, outbox, message, template=TEMPLATE, person_id=d.person_id)
        moment = now()
        with engine.begin() as conn:
            conn.execute(
                breach_drafts.update()
                .where(breach_drafts.c.id == d.id, breach_drafts.c.sent_at.is_(None))
                .values({"sent_at": moment, "sent_by": actor} if ok else {"to_send_by": "failed"})
            )
            audit.append(
                conn,
                actor=actor,
                action="breach.sent" if ok else "breach.send_failed",
                subject=f"breach:{breach_id}",
                details={"draft": d.id, "kind": d.kind, "channel": channel, "template": TEMPLATE},
                at=moment,
            )
        sent, failed = (sent + 1, failed) if ok else (sent, failed + 1)
    return Delivery(sent=sent, failed=failed, by_hand=by_hand)


def deliver_for(system: Any, breach_id: int, *, actor: str) -> Delivery:
    """:func:`deliver` with the running system's engine, vault and outbox."""
    from alarmvern.outbox.wiring import outbox_of

    return deliver(system.engine, system.vault, outbox_of(system), breach_id, actor=actor)


def mark_sent(conn: Connection, draft_id: int, *, actor: str) -> None:
    """Record that a draft went out; a draft is sent once."""
    row = conn.execute(select(breach_drafts).where(breach_drafts.c.id == draft_id)).first()
    if row is None:
        raise BreachNotFound("draft_id", f"finner ikke utkast {draft_id}", f"no draft {draft_id}")
    if row.sent_at is not None:
        raise BreachError(
            "sent_at",
            f"utkast {draft_id} er allerede merket sendt {_when(as_utc(row.sent_at))}",
            f"draft {draft_id} was already marked sent at {_when(as_utc(row.sent_at))}",
        )
    moment = now()
    conn.execute(
        breach_drafts.update()
        .where(breach_drafts.c.id == draft_id)
        .values(sent_at=moment, sent_by=actor)
    )
    audit.append(
        conn,
        actor=actor,
        action="breach.sent",
        subject=f"breach:{row.breach_id}",
        details={"draft": draft_id, "kind": row.kind},
        at=moment,
    )
