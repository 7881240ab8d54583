"""The record of the processing done as a processor (art. 30(2)), and the register's columns
for the controller's record (the DPIA and the processor agreements, from the policy's
``accountability:`` section), laid out as Datatilsynet's two protocol templates do: one
record for the controller, a separate one for the processor."""

from __future__ import annotations

import csv
import io
from typing import Literal

from alarmvern.policy.model import Activity, Policy, Text
from alarmvern.policy.register import entry

Lang = Literal["nb", "en"]


def _t(nb: str, en: str) -> Text:
    return Text(nb=nb, en=en)


LABEL = {
    "title": _t(
        "Protokoll over behandlingsaktiviteter som databehandler (art. 30(2))",
        "Record of processing carried out as a processor (art. 30(2))",
    ),
    "processor": _t("Databehandler", "Processor"),
    "controllers": _t("Behandlingsansvarlige", "Controllers"),
    "controllers_words": _t(
        "bedriftskundene som har avtale om tjenesten (navn og kontakt i kunderegisteret)",
        "the business customers with an agreement for the service (names and contacts in the "
        "customer register)",
    ),
    "dpo": _t("Personvernombud", "Data protection officer"),
    "processing": _t(
        "Kategorier av behandling utført på vegne av hver behandlingsansvarlig",
        "Categories of processing carried out on behalf of each controller",
    ),
    "transfers": _t("Overføring til tredjeland", "Transfers to third countries"),
    "security": _t("Sikkerhetstiltak (art. 32(1))", "Security measures (art. 32(1))"),
    "none": _t("ingen", "none"),
    "dpia": _t("Vurdering av personvernkonsekvenser", "Data protection impact assessment"),
    "dpia_words": _t("vurdert {a}, neste gjennomgang {n}", "assessed {a}, next review {n}"),
    "agreements": _t("Databehandleravtaler", "Processing agreements"),
    "agreement_words": _t("versjon {v} av {d}", "version {v} of {d}"),
    "sub_processor": _t("underdatabehandler", "sub-processor"),
    "approved": _t("godkjent", "approved"),
}


def _l(key: str, lang: Lang) -> str:
    return LABEL[key].get(lang)


def dpia_words(policy: Policy, activity: Activity, lang: Lang) -> str:
    dpia = policy.accountability.assessment_for(activity.id)
    if dpia is None:
        return _l("none", lang)
    return _l("dpia_words", lang).format(
        a=dpia.assessed.isoformat(), n=dpia.next_review.isoformat()
    )


def agreement_words(policy: Policy, activity: Activity, lang: Lang) -> str:
    """Each recipient's agreement from the register: version, date, sub-processors."""
    found = []
    for rid in activity.recipients:
        e = entry(policy, rid)
        if e.agreement is None:
            continue
        words = _l("agreement_words", lang).format(
            v=e.agreement.version, d=e.agreement.signed.isoformat()
        )
        for sp in e.sub_processors:
            approved = f", {_l('approved', lang)} {sp.approved.isoformat()}" if sp.approved else ""
            where = f" ({sp.country}{approved})" if sp.country or approved else ""
            words += f"; {_l('sub_processor', lang)} {sp.name}{where}"
        found.append(f"{e.recipient.name.get(lang)}: {words}")
    return "; ".join(found) or _l("none", lang)


def _processor_transfers(policy: Policy, lang: Lang) -> str:
    from alarmvern.policy.ropa import transfer_words, transfers

    abroad = transfers(policy, [r.id for r in policy.recipients])
    return "; ".join(transfer_words(e, lang) for e in abroad) or _l("none", lang)


def processor_markdown(policy: Policy, security: str, lang: Lang = "nb") -> str:
    """Art. 30(2) (a)-(d), one section per service done for business customers."""
    c = policy.controller
    dpo = c.dpo
    dpo_words = ", ".join(x for x in (dpo.name, dpo.email, dpo.phone) if x) if dpo else "–"
    contact = ", ".join(x for x in (c.address, c.email, c.phone) if x)
    out = [
        f"# {_l('title', lang)}",
        "",
        f"- **{_l('processor', lang)}:** {c.name}" + (f", {contact}" if contact else ""),
        f"- **{_l('dpo', lang)}:** {dpo_words}",
        f"- **{_l('controllers', lang)}:** {_l('controllers_words', lang)}",
        "",
        f"## {_l('processing', lang)}",
        "",
    ]
    out += [f"- {service.get(lang)}" for service in c.processor_for] or [f"- {_l('none', lang)}"]
    out += ["", f"## {_l('transfers', lang)}", "", _processor_transfers(policy, lang), ""]
    out += [f"## {_l('security', lang)}", "", security, ""]
    return "\n".join(out)


def processor_csv(policy: Policy, security: str, lang: Lang = "nb") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ("processor", "controllers", "processing", "transfers", "security")
    writer.writerow([_l(h if h != "processing" else "processing", lang) for h in header])
    c = policy.controller
    for service in c.processor_for:
        writer.writerow(
            [
                c.name + (f" ({c.org_no})" if c.org_no else ""),
                _l("controllers_words", lang),
                service.get(lang),
                _processor_transfers(policy, lang),
                security,
            ]
        )
    return buffer.getvalue()
