"""The accountability register: processor agreements, lapsed transfer mechanisms, missing
impact assessments (art. 28, 35, 44-46). The register is the policy's ``accountability:``."""

from __future__ import annotations

from collections.abc import Iterator

from alarmvern.policy.lint._base import Context, Finding, rule
from alarmvern.policy.model import Role, Transfer
from alarmvern.policy.register import entries, entry, high_risk_activities

_PROCESSORS = (Role.processor, Role.sub_processor)
# Transfers that rest on a contract and so need a transfer impact assessment (C-311/18).
_NEEDS_TIA = (Transfer.scc, Transfer.bcr, Transfer.derogation)


@rule("agreement-missing")
def agreement_missing(ctx: Context) -> Iterator[Finding]:
    reg = ctx.policy.accountability
    for index, rec in enumerate(ctx.policy.recipients):
        if rec.role in _PROCESSORS and rec.dpa_signed is None and not reg.agreement_for(rec.id):
            yield ctx.finding(
                "agreement-missing",
                "warning",
                "art. 28(3)",
                ("recipients", index),
                f"Databehandleren «{rec.id}» har ingen databehandleravtale i registeret.",
                f'The processor "{rec.id}" has no processing agreement in the register.',
            )


@rule("transfer-lapsed")
def transfer_lapsed(ctx: Context) -> Iterator[Finding]:
    for index, agreement in enumerate(ctx.policy.accountability.agreements):
        mech = agreement.mechanism
        if mech is None:
            continue
        path = ("accountability", "agreements", index, "mechanism")
        if mech.expires is not None and mech.expires < ctx.today:
            yield ctx.finding(
                "transfer-lapsed",
                "error",
                "art. 44",
                (*path, "expires"),
                f"Overføringsgrunnlaget ({mech.kind}) for «{agreement.recipient}» gikk ut "
                f"{mech.expires.isoformat()}: overføringen har ikke lenger et gyldig grunnlag.",
                f'The transfer mechanism ({mech.kind}) for "{agreement.recipient}" lapsed on '
                f"{mech.expires.isoformat()}: the transfer no longer has a valid basis.",
            )
        elif mech.review is not None and mech.review < ctx.today:
            yield ctx.finding(
                "transfer-lapsed",
                "warning",
                "art. 44",
                (*path, "review"),
                f"Overføringsgrunnlaget for «{agreement.recipient}» skulle vært gjennomgått "
                f"{mech.review.isoformat()}.",
                f'The transfer mechanism for "{agreement.recipient}" was due for review on '
                f"{mech.review.isoformat()}.",
            )


@rule("dpia-missing")
def dpia_missing(ctx: Context) -> Iterator[Finding]:
    reg = ctx.policy.accountability
    index_of = {a.id: i for i, a in enumerate(ctx.policy.activities)}
    for activity in high_risk_activities(ctx.policy):
        dpia = reg.assessment_for(activity)
        if dpia is not None and dpia.current(ctx.today):
            continue
        late = dpia is not None
        yield ctx.finding(
            "dpia-missing",
            "error",
            "art. 35(1)",
            ("activities", index_of[activity]),
            f"Aktiviteten «{activity}» har høy risiko, men "
            + (
                f"vurderingen av personvernkonsekvenser skulle vært fornyet {dpia.next_review}."
                if late and dpia
                else "ingen vurdering av personvernkonsekvenser (DPIA)."
            ),
            f'The activity "{activity}" is high-risk, but '
            + (
                f"its impact assessment was due for review on {dpia.next_review}."
                if late and dpia
                else "has no data protection impact assessment (DPIA)."
            ),
        )


@rule("tia-missing")
def tia_missing(ctx: Context) -> Iterator[Finding]:
    reg = ctx.policy.accountability
    for index, e in enumerate(entries(ctx.policy)):
        rec = e.recipient
        if not (rec.third_country and e.transfer in _NEEDS_TIA):
            continue
        tia = reg.transfer_assessment_for(rec.id)
        if tia is None or not tia.current(ctx.today):
            yield ctx.finding(
                "tia-missing",
                "warning",
                "art. 46(1)",
                ("recipients", index, "transfer"),
                f"Overføringen til «{rec.id}» ({rec.country}) har ingen gjeldende "
                "overføringsvurdering (TIA).",
                f'The transfer to "{rec.id}" ({rec.country}) has no current transfer impact '
                "assessment (TIA).",
            )


@rule("transfer-mismatch")
def transfer_mismatch(ctx: Context) -> Iterator[Finding]:
    """The recipient names one safeguard, its agreement another: the notice and the record
    follow the register (the agreement), so the recipient's line is out of date."""
    for index, e in enumerate(entries(ctx.policy)):
        rec, mech = e.recipient, e.mechanism
        if mech is None or rec.transfer in (Transfer.none_needed, e.transfer):
            continue
        yield ctx.finding(
            "transfer-mismatch",
            "warning",
            "art. 13(1)(f)",
            ("recipients", index, "transfer"),
            f"«{rec.id}» oppgir overføringsgrunnlaget {rec.transfer.value}, men avtalen i "
            f"registeret sier {mech.kind}; erklæringen og protokollen følger registeret.",
            f'"{rec.id}" names the transfer safeguard {rec.transfer.value}, but its agreement '
            f"in the register says {mech.kind}; the notice and the record follow the register.",
        )


@rule("sub-processor-transfer")
def sub_processor_transfer(ctx: Context) -> Iterator[Finding]:
    """A sub-processor outside the EEA under a processor inside it, with no mechanism."""
    agreements = ctx.policy.accountability.agreements
    for index, agreement in enumerate(agreements):
        e = entry(ctx.policy, agreement.recipient)
        if e.recipient.third_country and e.mechanism is not None:
            continue  # the agreement's mechanism covers the onward transfer
        for i, sp in enumerate(agreement.sub_processors):
            if not sp.third_country:
                continue
            yield ctx.finding(
                "sub-processor-transfer",
                "warning",
                "art. 44",
                ("accountability", "agreements", index, "sub_processors", i),
                f"Underdatabehandleren «{sp.name}» ({sp.country}) er utenfor EØS, men avtalen "
                f"med «{agreement.recipient}» oppgir ikke noe overføringsgrunnlag.",
                f'The sub-processor "{sp.name}" ({sp.country}) is outside the EEA, but the '
                f'agreement with "{agreement.recipient}" names no transfer mechanism.',
            )
