"""The erasure receipt the person gets: what was erased, and what is kept, why and until when."""

from __future__ import annotations

from alarmvern.policy.model import Policy
from alarmvern.policy.wording import Lang
from alarmvern.retention.exports import EXPORT_DAYS
from alarmvern.rights.erasure import Receipt
from alarmvern.rights.facts import category_name

ACTIONS = {
    "erased": ("Slettet", "Erased"),
    "unlinked": (
        "Koblet fra deg, beholdt for kundens alarmlogg",
        "Unlinked from you, kept in the customer's alarm log",
    ),
    "anonymised": ("Anonymisert", "Anonymised"),
    "kept": ("Beholdt", "Kept"),
}
REASONS = {
    "legal_hold": ("pålagt bevart (rettslig pålegg)", "under a legal hold"),
    "active_contract": (
        "trengs for avtalen som fortsatt løper",
        "needed by the contract still running",
    ),
    "needed_by_kept": ("trengs av opplysninger vi må beholde", "needed by records we must keep"),
}


def kept_by_category(receipt: Receipt) -> list[dict[str, str | None]]:
    """What the erasure kept: one entry per category and reason, with the last day it is
    kept where that can be told; codes only, for the request's steps."""
    found: dict[tuple[str, str], str | None] = {}
    for d in receipt.kept():
        key = (d.category, d.reason or "")
        until = d.until.isoformat() if d.until else None
        found[key] = max(filter(None, (found.get(key), until)), default=None)
    return [{"category": c, "reason": r or None, "until": u} for (c, r), u in found.items()]


def kept_sentences(kept: list[dict[str, str | None]], policy: Policy, lang: Lang) -> list[str]:
    """``kept_by_category`` as the person reads it: what, why, until when."""
    nb = lang == "nb"
    lines = []
    for item in kept:
        what = category_name(policy, str(item["category"]), lang)
        reason = item.get("reason")
        law = (f"pålagt av {reason}", f"required by {reason}")  # a law's name, as the policy
        why = REASONS.get(reason, law)[0 if nb else 1] if reason else None
        line = what + (f": {why}" if why else "")
        if item.get("until"):
            day = str(item["until"])
            shown = f"{day[8:10]}.{day[5:7]}.{day[:4]}" if nb else day
            line += f" ({'til' if nb else 'until'} {shown})"
        lines.append(line)
    return lines


def text(receipt: Receipt, policy: Policy, lang: Lang = "nb") -> str:
    nb = lang == "nb"
    lines = [
        "Kvittering for sletting (personvernforordningen artikkel 17)"
        if nb
        else "Erasure receipt (GDPR Article 17)",
        f"{'Dato' if nb else 'Date'}: {receipt.at.date().isoformat()}",
        "",
    ]
    for d in receipt.decisions:
        what = category_name(policy, d.category, lang)
        action = ACTIONS[d.action][0 if nb else 1]
        line = f"- {what}: {action} ({d.rows})"
        if d.reason:
            reason = REASONS.get(d.reason, (d.reason, d.reason))[0 if nb else 1]
            line += f"; {'grunn' if nb else 'reason'}: {reason}"
        if d.until:
            line += f"; {'til' if nb else 'until'} {d.until.isoformat()}"
        lines.append(line)
    if receipt.shredded:
        lines += [
            "",
            "Krypteringsnøklene dine er slettet, så bilder og opptak kan ikke lenger leses. "
            "Slettingen er ført i en egen logg og gjøres på nytt om en sikkerhetskopi "
            "noen gang må hentes inn."
            if nb
            else "Your encryption keys are destroyed, so images and recordings can no longer "
            "be read. The erasure is journalled and applied again should a backup ever "
            "have to be restored.",
        ]
    if receipt.exports_deleted:
        count = len(receipt.exports_deleted)
        lines += [
            "",
            f"Innsyns- og dataportabilitetspakker laget til deg er slettet ({count})."
            if nb
            else f"The access and portability packages made for you are deleted ({count}).",
        ]
    lines += [
        "",
        "Filer vi lager til deg (pakker, brev, kvitteringer) slettes uansett etter "
        f"{EXPORT_DAYS} dager."
        if nb
        else f"Files we make for you (packages, letters, receipts) are deleted after "
        f"{EXPORT_DAYS} days in any case.",
    ]
    return "\n".join(lines) + "\n"
