"""Art. 13 and 14: each item the notice must give the data subject is there."""

from __future__ import annotations

import re
from collections.abc import Iterator

from alarmvern.policy.lint._base import Context, Finding, rule
from alarmvern.policy.model import Source

# Legal forms after a company name: Norwegian, Nordic, and common foreign ones.
_LEGAL_FORM = re.compile(
    r"\b(AS|ASA|ANS|DA|SA|BA|KS|NUF|SF|IKS|KF|AB|ApS|A/S|Oy|Oyj|Ltd|Limited|LLC|Inc|PLC|"
    r"GmbH|AG|BV|NV|SAS|SARL|SRL|SpA|S\.A\.)\.?$",
    re.IGNORECASE,
)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@rule("controller-contact")
def controller_contact(ctx: Context) -> Iterator[Finding]:
    c = ctx.policy.controller
    if _blank(c.email) and _blank(c.phone) and _blank(c.address):
        yield ctx.finding(
            "controller-contact",
            "error",
            "art. 13(1)(a)",
            ("controller",),
            "Den behandlingsansvarlige mangler kontaktopplysninger: oppgi e-post, telefon "
            "eller postadresse.",
            "The controller has no contact details: give an e-mail, phone or postal address.",
        )


@rule("controller-org-no")
def controller_org_no(ctx: Context) -> Iterator[Finding]:
    if ctx.policy.controller.org_no is None:
        yield ctx.finding(
            "controller-org-no",
            "warning",
            "art. 13(1)(a)",
            ("controller", "name"),
            "Organisasjonsnummeret mangler: uten det er det uklart hvilket selskap som er "
            "behandlingsansvarlig.",
            "The organisation number is missing: without it, it is unclear which company is "
            "the controller.",
        )


@rule("controller-person")
def controller_person(ctx: Context) -> Iterator[Finding]:
    c = ctx.policy.controller
    if c.responsible_person is not None:
        yield ctx.finding(
            "controller-person",
            "warning",
            "art. 4(7), 13(1)(a)",
            ("controller", "responsible_person"),
            "Erklæringen navngir en person som ansvarlig for behandlingen. Den "
            "behandlingsansvarlige er selskapet; oppgi heller en funksjon (for eksempel "
            "personvernombudet) som kontaktpunkt.",
            "The notice names a person as responsible for the processing. The controller is "
            "the company; give a function (for example the DPO) as the point of contact instead.",
        )
    if c.org_no is None and not _LEGAL_FORM.search(c.name.strip()):
        yield ctx.finding(
            "controller-person",
            "error",
            "art. 13(1)(a)",
            ("controller", "name"),
            f"«{c.name}» ser ikke ut som en juridisk person (ingen selskapsform som AS og intet "
            "organisasjonsnummer): den behandlingsansvarlige er selskapet, ikke en person.",
            f'"{c.name}" does not look like a legal entity (no legal form such as AS and no '
            "organisation number): the controller is the company, not a person.",
        )


@rule("dpo-contact")
def dpo_contact(ctx: Context) -> Iterator[Finding]:
    dpo = ctx.policy.controller.dpo
    if dpo is None or (_blank(dpo.email) and _blank(dpo.phone) and _blank(dpo.address)):
        yield ctx.finding(
            "dpo-contact",
            "warning",
            "art. 13(1)(b)",
            ("controller", "dpo") if dpo is not None else ("controller",),
            "Kontaktopplysninger til personvernombudet er ikke oppgitt. Et ombud er ikke alltid "
            "påbudt, men et alarmselskap som overvåker jevnlig og systematisk har det som regel.",
            "No contact details for a data protection officer. A DPO is not always mandatory, "
            "but an alarm company that monitors regularly and systematically usually needs one.",
        )


@rule("supervisory-authority")
def supervisory_authority(ctx: Context) -> Iterator[Finding]:
    auth = ctx.policy.controller.supervisory_authority
    if _blank(auth.name) or (_blank(auth.web) and _blank(auth.address)):
        yield ctx.finding(
            "supervisory-authority",
            "error",
            "art. 13(2)(d)",
            ("controller", "supervisory_authority"),
            "Retten til å klage til tilsynsmyndigheten (Datatilsynet) må oppgis, med navn og "
            "adresse eller nettsted.",
            "The right to complain to the supervisory authority (Datatilsynet) must be stated, "
            "with its name and address or website.",
        )


@rule("purpose")
def purpose(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        for lang in ("nb", "en"):
            text = act.purpose.get(lang).strip()
            if len(text.split()) < 2:
                yield ctx.finding(
                    "purpose",
                    "error",
                    "art. 13(1)(c)",
                    ("activities", index, "purpose", lang),
                    f"Aktiviteten «{act.id}» har intet forståelig formål ({lang}): skriv hva "
                    "opplysningene brukes til.",
                    f'Activity "{act.id}" has no understandable purpose ({lang}): write what '
                    "the data is used for.",
                )


@rule("legal-basis-explained")
def legal_basis_explained(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        for key, text in (("legitimate_interest", act.legitimate_interest), ("law", act.law)):
            if text is not None and (_blank(text.nb) or _blank(text.en)):
                yield ctx.finding(
                    "legal-basis-explained",
                    "error",
                    "art. 13(1)(c)-(d)",
                    ("activities", index, key),
                    f"Aktiviteten «{act.id}»: {key} er tomt; skriv ut interessen eller loven.",
                    f'Activity "{act.id}": {key} is empty; write out the interest or the law.',
                )


@rule("recipients")
def recipients(ctx: Context) -> Iterator[Finding]:
    p = ctx.policy
    if not p.recipients:
        yield ctx.finding(
            "recipients",
            "warning",
            "art. 13(1)(e)",
            ("activities",),
            "Ingen mottakere er oppgitt. Nesten alle bruker IT-leverandører; oppgi mottakerne "
            "eller kategoriene av mottakere.",
            "No recipients are stated. Almost everyone uses IT suppliers; name the recipients "
            "or the categories of recipients.",
        )
        return
    used = {rid for act in p.activities for rid in act.recipients}
    for index, rec in enumerate(p.recipients):
        if rec.id not in used:
            yield ctx.finding(
                "recipients",
                "warning",
                "art. 13(1)(e)",
                ("recipients", index),
                f"Mottakeren «{rec.id}» er oppgitt, men ingen aktivitet deler opplysninger med "
                "den: hvilke opplysninger får den?",
                f'Recipient "{rec.id}" is listed, but no activity shares data with it: which '
                "data does it receive?",
            )


@rule("rights-contact")
def rights_contact(ctx: Context) -> Iterator[Finding]:
    p = ctx.policy
    contact = p.rights.contact
    c = p.controller
    routes = [c.email, c.phone, c.address]
    if contact is not None:
        routes += [contact.email, contact.phone, contact.address]
    if all(_blank(r) for r in routes):
        yield ctx.finding(
            "rights-contact",
            "error",
            "art. 13(2)(b)",
            ("rights",),
            "Det står ikke hvor den registrerte kan henvende seg for å bruke rettighetene sine.",
            "Nothing says where data subjects can turn to exercise their rights.",
        )


@rule("source")
def source(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        others = [s for s in act.sources if s in (Source.third_party, Source.public)]
        if others and act.source_detail is None:
            yield ctx.finding(
                "source",
                "error",
                "art. 14(2)(f)",
                ("activities", index, "sources"),
                f"Aktiviteten «{act.id}» henter opplysninger fra andre enn den registrerte, men "
                "sier ikke hvor de kommer fra: fyll ut source_detail.",
                f'Activity "{act.id}" collects data from others than the data subject but does '
                "not say where from: fill in source_detail.",
            )


@rule("required-consequence")
def required_consequence(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        if Source.subject not in act.sources or act.required == "voluntary":
            continue
        if act.consequence is None:
            yield ctx.finding(
                "required-consequence",
                "error",
                "art. 13(2)(e)",
                ("activities", index, "required"),
                f"Aktiviteten «{act.id}» krever opplysningene ({act.required}), men sier ikke hva "
                "som skjer om den registrerte ikke gir dem: fyll ut consequence.",
                f'Activity "{act.id}" requires the data ({act.required}) but does not say what '
                "happens if the person does not give it: fill in consequence.",
            )


_DECISION_HINT = re.compile(r"credit|kreditt|\bscor|profilering|profiling", re.IGNORECASE)


@rule("automated-decision")
def automated_decision(ctx: Context) -> Iterator[Finding]:
    for index, act in enumerate(ctx.policy.activities):
        if act.automated_decision is not None:
            continue
        # The words the reader sees (category names, the purpose), never the ids.
        names = [
            ctx.policy.categories[c].name.en for c in act.categories if c in ctx.policy.categories
        ]
        hay = " ".join([*names, act.purpose.nb, act.purpose.en])
        if _DECISION_HINT.search(hay):
            yield ctx.finding(
                "automated-decision",
                "info",
                "art. 13(2)(f)",
                ("activities", index),
                f"Aktiviteten «{act.id}» ser ut som kredittvurdering eller profilering, men sier "
                "ikke om avgjørelsen tas automatisk: beskriv automated_decision eller avklar at "
                "et menneske avgjør.",
                f'Activity "{act.id}" looks like credit scoring or profiling but does not say '
                "whether the decision is automated: describe automated_decision or make clear "
                "that a person decides.",
            )
