"""Notices to recipients (art. 19): who received the person's data, and what to tell them.

After a rectification, erasure or restriction, each recipient that the disclosures log says
received the person's data in a category concerned is told. The letter names the person only
by our reference; staff send who it is, and any corrected value, by a secure channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, or_, select

from alarmvern.policy.model import Policy, covers
from alarmvern.policy.wording import Lang
from alarmvern.rights.facts import category_name
from alarmvern.store.tables import disclosures
from alarmvern.store.tables.columns import as_utc

Kind = Literal["rectification", "erasure", "restriction"]


@dataclass
class RecipientNotice:
    recipient: str  # the policy recipient id (or the id given to a provider the person chose)
    name: dict[str, str]  # "nb" / "en"
    our_reference: str
    sender: str
    categories: list[str] = field(default_factory=list)  # the concerned categories received
    category_names: dict[str, dict[str, str]] = field(default_factory=dict)
    received: list[datetime] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # the recipient's own, from the log


def recipients_to_notify(
    conn: Connection,
    policy: Policy,
    *,
    person_id: int,
    account_ids: tuple[int, ...] | list[int] = (),
    categories: list[str],
) -> list[RecipientNotice]:
    """Each recipient that received the person's data in one of ``categories``."""
    where = [disclosures.c.person_id == person_id]
    if account_ids:
        where.append(disclosures.c.account_id.in_(list(account_ids)))
    query = select(disclosures).where(or_(*where)).order_by(disclosures.c.disclosed_at)
    found: dict[str, RecipientNotice] = {}
    for row in conn.execute(query):
        concerned = _concerned(list(row.categories or []), categories)
        if not concerned:
            continue
        notice = found.get(row.recipient) or _notice(policy, row.recipient, person_id)
        found[row.recipient] = notice
        notice.categories = sorted(set(notice.categories) | set(concerned))
        notice.received.append(as_utc(row.disclosed_at))
        if row.reference and row.reference not in notice.references:
            notice.references.append(row.reference)
    for notice in found.values():
        notice.category_names = {c: _names(policy, c) for c in notice.categories}
    return sorted(found.values(), key=lambda n: n.recipient)


def _concerned(disclosed: list[str], asked: list[str]) -> set[str]:
    """The categories both sent and asked about, each as the narrower of a matching pair."""
    found = set()
    for sent in disclosed:
        for key in asked:
            if covers(key, sent):
                found.add(sent)
            elif covers(sent, key):
                found.add(key)
    return found


def _notice(policy: Policy, recipient: str, person_id: int) -> RecipientNotice:
    known = next((r for r in policy.recipients if r.id == recipient), None)
    # A provider the person chose (art. 20) is not a policy recipient: its id is its name.
    name = (
        {"nb": known.name.nb, "en": known.name.en} if known else {"nb": recipient, "en": recipient}
    )
    return RecipientNotice(recipient, name, f"person:{person_id}", policy.controller.name)


def _names(policy: Policy, category: str) -> dict[str, str]:
    return {lang: category_name(policy, category, lang) for lang in ("nb", "en")}


SUBJECT: dict[Kind, tuple[str, str]] = {
    "rectification": (
        "Melding om retting av personopplysninger (personvernforordningen art. 16 og 19)",
        "Notice of rectification of personal data (GDPR Articles 16 and 19)",
    ),
    "erasure": (
        "Melding om sletting av personopplysninger (personvernforordningen art. 17 og 19)",
        "Notice of erasure of personal data (GDPR Articles 17 and 19)",
    ),
    "restriction": (
        "Melding om begrenset behandling av personopplysninger "
        "(personvernforordningen art. 18 og 19)",
        "Notice of restriction of processing of personal data (GDPR Articles 18 and 19)",
    ),
}
WHAT: dict[Kind, tuple[str, str]] = {
    "rectification": (
        "Vi har rettet opplysninger om en person som vi tidligere har utlevert til dere. "
        "Vi ber dere rette opplysningene hos dere på samme måte.",
        "We have rectified data about a person that we disclosed to you earlier. "
        "Please rectify the data you hold in the same way.",
    ),
    "erasure": (
        "Vi har slettet opplysninger om en person som vi tidligere har utlevert til dere. "
        "Vi ber dere slette opplysningene hos dere, med mindre dere har et selvstendig "
        "rettslig grunnlag for å beholde dem.",
        "We have erased data about a person that we disclosed to you earlier. Please erase "
        "the data you hold, unless you have a legal basis of your own to keep it.",
    ),
    "restriction": (
        "Behandlingen av opplysninger om en person som vi tidligere har utlevert til dere, er "
        "begrenset. Vi ber dere bare lagre opplysningene, og ikke bruke dem ellers, til vi "
        "melder at begrensningen er opphevet.",
        "Processing of data about a person that we disclosed to you earlier is restricted. "
        "Please only store the data, and make no other use of it, until we tell you that "
        "the restriction is lifted.",
    ),
}
# (bokmål, English) for the fixed lines of every letter.
LINES = {
    "to": ("Til", "To"),
    "ref": ("Vår referanse", "Our reference"),
    "cats": ("Opplysninger det gjelder", "Data concerned"),
    "when": ("Dere mottok opplysningene", "You received the data"),
    "who": (
        "Hvem saken gjelder, og eventuelle rettede opplysninger, sender vi dere på en sikker "
        "måte for seg. Svar oss med vår referanse når det er gjort.",
        "Who this concerns, and any corrected data, we send you separately by a secure "
        "channel. Please reply quoting our reference once it is done.",
    ),
    "from": ("Med vennlig hilsen", "Kind regards"),
}


def letter(notice: RecipientNotice, kind: Kind, lang: Lang = "nb") -> str:
    """The notice to send ``notice.recipient``, in bokmål or English; no personal data."""
    i = 0 if lang == "nb" else 1
    categories = [
        f"- {notice.category_names.get(c, {}).get(lang, c)} ({c})" for c in notice.categories
    ]
    lines = [
        SUBJECT[kind][i],
        "",
        f"{LINES['to'][i]}: {notice.name[lang]}",
        f"{LINES['ref'][i]}: {notice.our_reference}",
        "",
        WHAT[kind][i],
        "",
        f"{LINES['cats'][i]}:",
        *categories,
        "",
        f"{LINES['when'][i]}: {_when(notice.received)}.",
        "",
        LINES["who"][i],
        "",
        LINES["from"][i],
        notice.sender,
    ]
    return "\n".join(lines) + "\n"


def _when(received: list[datetime]) -> str:
    days = sorted({at.date().isoformat() for at in received})
    if not days:
        return "-"
    return days[0] if len(days) == 1 else f"{days[0]} – {days[-1]}"
