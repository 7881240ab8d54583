"""The record of processing activities (GDPR art. 30(1)), rendered from the policy.

What the notice promises and what the record lists come from the same file. The store's
tables for each category are computed by the store and passed in, so this module stays pure.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from typing import Literal

from alarmvern.policy import ropa_processor as processor
from alarmvern.policy.model import (
    Activity,
    Anchor,
    Condition,
    Disposal,
    Policy,
    RetentionRule,
    Role,
    Source,
    Text,
    Transfer,
    covers,
)
from alarmvern.policy.register import Entry, entry

Lang = Literal["nb", "en"]


def _t(nb: str, en: str) -> Text:
    return Text(nb=nb, en=en)


SECURITY = _t(
    "Bilder, video, lydopptak og fødselsnumre krypteres med en egen nøkkel per registrert "
    "(slettes nøkkelen, kan kopier i sikkerhetskopier ikke lenger leses); alarmkoder og passord "
    "lagres bare som argon2-hasher; hver lesing, endring og sletting føres i en hash-kjedet "
    "revisjonslogg; tilgang gis etter tjenstlig behov.",
    "Images, video, audio recordings and national identity numbers are encrypted with a key "
    "per data subject (destroying the key makes copies in backups unreadable); alarm codes and "
    "passwords are stored only as argon2 hashes; every read, change and deletion is written to "
    "a hash-chained audit log; access is granted on a need-to-know basis.",
)

_SECURITY_NOTE = re.compile(r"sikkerhet|krypter|security|encrypt", re.IGNORECASE)

BASIS = {
    "consent": _t("Samtykke", "Consent"),
    "contract": _t("Avtale", "Contract"),
    "legal_obligation": _t("Rettslig forpliktelse", "Legal obligation"),
    "vital_interest": _t("Vitale interesser", "Vital interests"),
    "public_task": _t("Allmennhetens interesse eller offentlig myndighet", "Public task"),
    "legitimate_interest": _t("Berettiget interesse", "Legitimate interest"),
    "not_stated": _t("Ikke oppgitt", "Not stated"),
}
ANCHOR = {
    Anchor.captured: _t("fra opptak/registrering", "from capture"),
    Anchor.relationship_end: _t(
        "etter at kundeforholdet er avsluttet", "after the relationship ends"
    ),
    Anchor.fiscal_year_end: _t(
        "etter utgangen av regnskapsåret", "after the end of the fiscal year"
    ),
    Anchor.last_invoice: _t("etter siste faktura", "after the last invoice"),
    Anchor.consent_withdrawn: _t("etter at samtykket er trukket", "after consent is withdrawn"),
    Anchor.request_closed: _t("etter at henvendelsen er avsluttet", "after the request is closed"),
    Anchor.incident_closed: _t("etter at hendelsen er avsluttet", "after the incident is closed"),
    Anchor.last_contact: _t("etter siste kontakt", "after the last contact"),
    Anchor.erasure_request: _t("til den registrerte ber om sletting", "until erasure is requested"),
}
ROLE = {
    Role.processor: _t("databehandler", "processor"),
    Role.sub_processor: _t("underdatabehandler", "sub-processor"),
    Role.independent_controller: _t("selvstendig behandlingsansvarlig", "independent controller"),
    Role.joint_controller: _t("felles behandlingsansvarlig", "joint controller"),
    Role.public_authority: _t("offentlig myndighet", "public authority"),
}
TRANSFER = {
    Transfer.none_needed: _t("ingen (innen EØS)", "none (within the EEA)"),
    Transfer.adequacy: _t(
        "beslutning om tilstrekkelig beskyttelse (art. 45)", "adequacy (art. 45)"
    ),
    Transfer.dpf: _t(
        "EU-US Data Privacy Framework (art. 45)", "EU-US Data Privacy Framework (art. 45)"
    ),
    Transfer.scc: _t(
        "EUs standardkontrakter (art. 46(2)(c))", "standard contractual clauses (art. 46(2)(c))"
    ),
    Transfer.bcr: _t("bindende virksomhetsregler (art. 47)", "binding corporate rules (art. 47)"),
    Transfer.derogation: _t("unntak for særlige situasjoner (art. 49)", "derogation (art. 49)"),
    Transfer.privacy_shield: _t(
        "Privacy Shield (ugyldig siden 16.07.2020)", "Privacy Shield (invalid since 16 July 2020)"
    ),
    Transfer.unknown: _t("ikke oppgitt", "not stated"),
}
CONDITION = {
    Condition.became_customer: _t("kundeforhold", "a customer relationship"),
    Condition.active_contract: _t("aktiv avtale", "an active contract"),
    Condition.open_incident: _t("åpen alarmhendelse", "an open incident"),
    Condition.open_request: _t("åpen henvendelse", "an open request"),
}
SOURCE = {
    Source.subject: _t("den registrerte", "the data subject"),
    Source.third_party: _t("tredjepart", "a third party"),
    Source.system: _t("alarmsystemet og våre tjenester", "the alarm system and our services"),
    Source.public: _t("offentlige registre", "public registers"),
    Source.device: _t("den registrertes enhet", "the data subject's device"),
}
LABEL = {
    "title": _t("Protokoll over behandlingsaktiviteter", "Record of processing activities"),
    "controller": _t("Behandlingsansvarlig", "Controller"),
    "org_no": _t("Organisasjonsnummer", "Organisation number"),
    "dpo": _t("Personvernombud", "Data protection officer"),
    "none": _t("ikke oppnevnt", "none appointed"),
    "version": _t("Versjon", "Version"),
    "activity": _t("Behandlingsaktivitet", "Processing activity"),
    "purpose": _t("Formål", "Purpose"),
    "basis": _t("Behandlingsgrunnlag", "Legal basis"),
    "subjects": _t("Kategorier av registrerte", "Categories of data subjects"),
    "categories": _t("Kategorier av personopplysninger", "Categories of personal data"),
    "category": _t("Kategori", "Category"),
    "special": _t("særlig kategori", "special category"),
    "sources": _t("Kilde", "Source"),
    "recipients": _t("Mottakere", "Recipients"),
    "transfers": _t("Overføring til tredjeland", "Transfers to third countries"),
    "retention": _t("Slettefrister", "Time limits for erasure"),
    "tables": _t("Tabeller i lageret", "Store tables"),
    "security": _t("Sikkerhetstiltak", "Security measures"),
    "no_recipients": _t("ingen", "none"),
    "no_transfers": _t("ingen", "none"),
    "no_tables": _t("ingen tabeller", "no tables"),
    "not_stated": _t("ikke oppgitt", "not stated"),
    # N-02: the camera rule as written, 30 days only where the police are likely to need it.
    "hold": _t(
        "inntil {d} der det er sannsynlig at politiet trenger opptaket",
        "up to {d} where the police are likely to need the recording",
    ),
    "delete": _t("deretter slettes", "then deleted"),
    "anonymise": _t("deretter anonymiseres", "then anonymised"),
    # N-03: what the strategy does, never called anonymisation.
    "pseudonymise": _t("deretter pseudonymiseres", "then pseudonymised"),
    "generalise": _t("deretter generaliseres", "then generalised"),
    "drop": _t("deretter slettes verdien", "then the value is deleted"),
    "unless": _t("unntatt ved", "except with"),
    "at_once": _t("straks", "at once"),
    "until": _t("gyldig til", "valid until"),
    "sub_processor": _t("underdatabehandler", "sub-processor"),
    "sub_processors": _t("underdatabehandlere", "sub-processors"),
}


def _l(key: str, lang: Lang) -> str:
    return LABEL[key].get(lang)


def _label(key: str, lang: Lang) -> str:
    return LABEL[key].get(lang) if key in LABEL else processor.LABEL[key].get(lang)


def security_measures(policy: Policy, lang: Lang = "nb") -> str:
    """Art. 30(1)(g): the notes that describe security, or the system's own measures."""
    notes = [n.get(lang) for n in policy.notes if _SECURITY_NOTE.search(f"{n.nb} {n.en}")]
    return " ".join(notes) if notes else SECURITY.get(lang)


def retention_words(rule: RetentionRule, lang: Lang = "nb") -> str:
    """``7 dager fra opptak/registrering, inntil 30 dager ved pålagt oppbevaring; deretter …``."""
    if rule.keep is not None and rule.from_ is not None:
        amount = rule.keep.words(lang) if rule.keep.amount else _l("at_once", lang)
        text = f"{amount} {ANCHOR[rule.from_].get(lang)}"
    else:
        text = rule.criterion.get(lang) if rule.criterion is not None else _l("not_stated", lang)
    if rule.hold_max is not None:
        text += ", " + _l("hold", lang).format(d=rule.hold_max.words(lang))
    done = "delete" if rule.then is Disposal.delete else "anonymise"
    if rule.strategy is not None:
        done = {"pseudonym": "pseudonymise", "drop": "drop"}.get(rule.strategy.value, "generalise")
    text += "; " + _l(done, lang)
    if rule.unless:
        conditions = ", ".join(CONDITION[c].get(lang) for c in rule.unless)
        text += f" ({_l('unless', lang)} {conditions})"
    return text


def basis_words(activity: Activity, lang: Lang = "nb") -> str:
    basis = activity.legal_basis
    text = f"{BASIS[basis.value].get(lang)} ({basis.article})"
    detail = activity.legitimate_interest or activity.law
    return f"{text}: {detail.get(lang)}" if detail is not None else text


def _recipient_words(e: Entry, lang: Lang) -> str:
    r = e.recipient
    where = f", {r.country}" if r.country else ""
    subs = ", ".join(
        f"{sp.name} ({sp.country})" if sp.country else sp.name for sp in e.sub_processors
    )
    below = f"; {_l('sub_processors', lang)}: {subs}" if subs else ""
    return f"{r.name.get(lang)} ({ROLE[r.role].get(lang)}{where}{below})"


def transfer_words(e: Entry, lang: Lang) -> str:
    """``Name (US): DPF (art. 45), reference, until 2027-05-10`` from the register."""
    where = e.recipient.country or _l("not_stated", lang)
    text = f"{e.recipient.name.get(lang)} ({where}): {TRANSFER[e.transfer].get(lang)}"
    mech = e.mechanism
    if mech is not None and mech.reference:
        text += f", {mech.reference}"
    if mech is not None and mech.expires is not None:
        text += f", {_l('until', lang)} {mech.expires.isoformat()}"
    abroad = [sp for sp in e.sub_processors if sp.third_country]
    for sp in abroad:
        text += f"; {_l('sub_processor', lang)} {sp.name} ({sp.country})"
    return text


def transfers(policy: Policy, recipient_ids: Sequence[str]) -> list[Entry]:
    """The register's entries among ``recipient_ids`` that send data out of the EEA."""
    found = [entry(policy, rid) for rid in recipient_ids]
    return [
        e
        for e in found
        if e.recipient.third_country
        or e.transfer is not Transfer.none_needed
        or any(sp.third_country for sp in e.sub_processors)
    ]


def _transfers(policy: Policy, activity: Activity) -> list[Entry]:
    return transfers(policy, activity.recipients)


def tables_for(category: str, tables_by_category: Mapping[str, Sequence[str]]) -> list[str]:
    """The store tables holding ``category`` or a key below it."""
    found = {t for key, ts in tables_by_category.items() if covers(category, key) for t in ts}
    return sorted(found)


def _category_retention(activity: Activity, policy: Policy, category: str, lang: Lang) -> str:
    rule = activity.retention.get(category)
    if rule is not None:
        return retention_words(rule, lang)
    others = policy.retention_for(category)
    if others:
        return "; ".join(retention_words(r, lang) for _, r in others)
    return _l("not_stated", lang)


def _category_name(policy: Policy, key: str, lang: Lang) -> str:
    cat = policy.categories[key]
    return cat.name.get(lang) + (f" ({_l('special', lang)})" if cat.special else "")


def _sources(activity: Activity, lang: Lang) -> str:
    text = ", ".join(SOURCE[s].get(lang) for s in activity.sources)
    if activity.source_detail is not None:
        text += f" ({activity.source_detail.get(lang)})"
    return text


def render_ropa(
    policy: Policy,
    fmt: Literal["md", "csv"],
    tables_by_category: Mapping[str, Sequence[str]] | None = None,
    lang: Lang = "nb",
    part: Literal["controller", "processor"] = "controller",
) -> str:
    """The record of processing as Markdown, or as CSV with one row per activity×category;
    ``part="processor"``: the separate record of what is done as a processor (art. 30(2))."""
    if part == "processor":
        security = security_measures(policy, lang)
        if fmt == "csv":
            return processor.processor_csv(policy, security, lang)
        return processor.processor_markdown(policy, security, lang)
    tables = tables_by_category if tables_by_category is not None else {}
    if fmt == "csv":
        return _csv(policy, tables, lang)
    if fmt == "md":
        return _markdown(policy, tables, lang)
    raise ValueError(f"unknown format {fmt!r}; use md or csv")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _controller_lines(policy: Policy, lang: Lang) -> list[str]:
    c = policy.controller
    contact = ", ".join(x for x in (c.address, c.email, c.phone, c.web) if x)
    lines = [f"- **{_l('controller', lang)}:** {c.name}" + (f", {contact}" if contact else "")]
    if c.org_no:
        lines.append(f"- **{_l('org_no', lang)}:** {c.org_no}")
    dpo = c.dpo
    if dpo is not None:
        parts = ", ".join(x for x in (dpo.name, dpo.email, dpo.phone, dpo.address) if x)
        lines.append(f"- **{_l('dpo', lang)}:** {parts}")
    else:
        lines.append(f"- **{_l('dpo', lang)}:** {_l('none', lang)}")
    lines.append(f"- **{_l('version', lang)}:** {policy.version} ({policy.date.isoformat()})")
    return lines


def _markdown(policy: Policy, tables: Mapping[str, Sequence[str]], lang: Lang) -> str:
    out = [f"# {_l('title', lang)}", "", *_controller_lines(policy, lang), ""]
    out += [f"## {_l('security', lang)}", "", security_measures(policy, lang), ""]
    for act in policy.activities:
        recipients = [entry(policy, rid) for rid in act.recipients]
        sent_abroad = _transfers(policy, act)
        subjects = [policy.subjects[s].name.get(lang) for s in act.subjects]
        rows = [
            ("purpose", act.purpose.get(lang)),
            ("basis", basis_words(act, lang)),
            ("subjects", ", ".join(subjects)),
            ("sources", _sources(act, lang)),
            (
                "recipients",
                "; ".join(_recipient_words(r, lang) for r in recipients)
                or _l("no_recipients", lang),
            ),
            (
                "transfers",
                "; ".join(transfer_words(e, lang) for e in sent_abroad) or _l("no_transfers", lang),
            ),
            ("dpia", processor.dpia_words(policy, act, lang)),
            ("agreements", processor.agreement_words(policy, act, lang)),
        ]
        out += [f"## {act.name.get(lang)} (`{act.id}`)", "", "| | |", "| --- | --- |"]
        out += [f"| {_label(key, lang)} | {_cell(value)} |" for key, value in rows]
        out += ["", f"### {_l('categories', lang)}", ""]
        out += [
            f"| {_l('category', lang)} | {_l('retention', lang)} | {_l('tables', lang)} |",
            "| --- | --- | --- |",
        ]
        for key in act.categories:
            held = tables_for(key, tables)
            out.append(
                f"| {_cell(_category_name(policy, key, lang))} (`{key}`) "
                f"| {_cell(_category_retention(act, policy, key, lang))} "
                f"| {', '.join(held) if held else _l('no_tables', lang)} |"
            )
        out.append("")
    return "\n".join(out)


CSV_COLUMNS = (
    "controller",
    "activity_id",
    "activity",
    "purpose",
    "basis",
    "subjects",
    "category_key",
    "category",
    "sources",
    "recipients",
    "transfers",
    "retention",
    "tables",
    "security",
    "dpia",
    "agreements",
)
_CSV_HEADER = {
    "controller": _t("behandlingsansvarlig", "controller"),
    "activity_id": _t("aktivitet_id", "activity_id"),
    "activity": _t("aktivitet", "activity"),
    "purpose": _t("formål", "purpose"),
    "basis": _t("behandlingsgrunnlag", "legal_basis"),
    "subjects": _t("registrerte", "data_subjects"),
    "category_key": _t("kategori_nøkkel", "category_key"),
    "category": _t("kategori", "category"),
    "sources": _t("kilde", "source"),
    "recipients": _t("mottakere", "recipients"),
    "transfers": _t("tredjelandsoverføring", "third_country_transfers"),
    "retention": _t("slettefrist", "time_limit"),
    "tables": _t("tabeller", "tables"),
    "security": _t("sikkerhetstiltak", "security_measures"),
    "dpia": _t("dpia", "dpia"),
    "agreements": _t("databehandleravtaler", "processing_agreements"),
}


def _csv(policy: Policy, tables: Mapping[str, Sequence[str]], lang: Lang) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_CSV_HEADER[c].get(lang) for c in CSV_COLUMNS])
    c = policy.controller
    controller = c.name + (f" ({c.org_no})" if c.org_no else "")
    security = security_measures(policy, lang)
    for act in policy.activities:
        recipients = "; ".join(_recipient_words(entry(policy, rid), lang) for rid in act.recipients)
        abroad = "; ".join(transfer_words(e, lang) for e in _transfers(policy, act))
        subjects = ", ".join(policy.subjects[s].name.get(lang) for s in act.subjects)
        for key in act.categories:
            writer.writerow(
                [
                    controller,
                    act.id,
                    act.name.get(lang),
                    act.purpose.get(lang),
                    basis_words(act, lang),
                    subjects,
                    key,
                    _category_name(policy, key, lang),
                    _sources(act, lang),
                    recipients,
                    abroad,
                    _category_retention(act, policy, key, lang),
                    " ".join(tables_for(key, tables)),
                    security,
                    processor.dpia_words(policy, act, lang),
                    processor.agreement_words(policy, act, lang),
                ]
            )
    return buffer.getvalue()
